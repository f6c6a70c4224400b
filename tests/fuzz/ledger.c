/* The ledger reader and verifier on arbitrary ledger text (vp_ledger_verify,
 * vp_ledger_entries, vp_ledger_find). Oracle: the three read the same file the same way -
 * they agree on acceptance; an accepted ledger's entry list has report.entries entries
 * numbered 1..n, the last equals report.last, and each entry is found by its bundle hash. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vaultproof/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = vp_fuzz_file("ledger.jsonl", data, size);
    vp_ledger_report rep;
    vp_ledger_entry *v = NULL, found;
    size_t n = 0;
    vp_error e1 = {0}, e2 = {0}, e3 = {0};

    vp_status s1 = vp_ledger_verify(path, &rep, &e1);
    vp_status s2 = vp_ledger_entries(path, &v, &n, &e2);
    if (s1 == VP_ERR_NOMEM || s2 == VP_ERR_NOMEM)
        goto done;
    if (s1 != s2)
        vp_fuzz_fail("ledger", "verify says %d (%s), entries says %d (%s)", s1, e1.message, s2, e2.message);
    if (s1)
        goto done;
    if ((long long)n != rep.entries)
        vp_fuzz_fail("ledger", "verify counts %lld entries, entries returns %zu", rep.entries, n);
    for (size_t i = 0; i < n; i++)
        if (v[i].seq != (long long)i + 1)
            vp_fuzz_fail("ledger", "entry %zu has seq %lld", i + 1, v[i].seq);
    if (n && memcmp(&v[n - 1], &rep.last, sizeof rep.last))
        vp_fuzz_fail("ledger", "the last entry differs between verify and entries");
    for (size_t i = 0; i < n; i++) {
        vp_status s3 = vp_ledger_find(path, v[i].bundle_sha256, &found, &e3);
        if (s3 == VP_ERR_NOMEM)
            break;
        if (s3)
            vp_fuzz_fail("ledger", "entry %zu is not found by its bundle hash: %s", i + 1, e3.message);
        if (found.seq > v[i].seq)
            vp_fuzz_fail("ledger", "find returns seq %lld for the hash of seq %lld", found.seq, v[i].seq);
    }
done:
    free(v);
    return 0;
}
