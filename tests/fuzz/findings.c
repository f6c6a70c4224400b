/* The findings reader (vp_findings_file_*) on arbitrary text: open, the header, controls
 * and rules, every finding, then a rewind and every finding again; then the failing ones
 * twice (the first such pass learns the lines, the second skips through what it learnt)
 * and once more on a second handle the index is shared with. Oracle: each pass of a kind
 * reads the same number of findings with the same outcome as the first of that kind. */
#include <string.h>

#include "fuzz.h"
#include "vaultproof/findings_read.h"

/* Returns the number of findings read before the end or an error; *st the outcome. */
static size_t read_all(vp_findings_file *f, vp_status *st, vp_error *err)
{
    size_t n = 0;
    const vp_finding_record *rec = NULL;
    while ((*st = vp_findings_file_next(f, &rec, err)) == VP_OK && rec) {
        n++;
        /* touch what a renderer touches */
        if (rec->rule)
            (void)strlen(rec->rule);
        for (size_t i = 0; i < rec->citation_count; i++)
            (void)strlen(rec->citations[i]);
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_findings_file *f = NULL;
    vp_error err = {0};
    const char *path = vp_fuzz_file("findings.json", data, size);

    if (vp_findings_file_open(path, &f, &err))
        return 0;
    const vp_findings_header *h = vp_findings_file_header(f);
    size_t nc = 0, nr = 0;
    const vp_control_record *c = vp_findings_file_controls(f, &nc);
    const vp_rule_record *r = vp_findings_file_rules(f, &nr);
    for (size_t i = 0; i < nc; i++)
        for (size_t k = 0; k < c[i].rule_count; k++)
            (void)strlen(c[i].rules[k]);
    for (size_t i = 0; i < nr; i++)
        (void)strlen(r[i].id);
    for (size_t i = 0; h && i < h->class_count; i++)
        (void)strlen(h->class_names[i]);

    vp_status s1, s2;
    vp_error e2 = {0};
    size_t n1 = read_all(f, &s1, &err);
    vp_findings_file_rewind(f);
    size_t n2 = read_all(f, &s2, &e2);
    if (s1 != VP_ERR_NOMEM && s2 != VP_ERR_NOMEM && (n1 != n2 || s1 != s2))
        vp_fuzz_fail("findings", "first pass read %zu (status %d), the pass after rewind %zu (status %d)", n1, s1, n2,
                     s2);

    vp_findings_file *g = NULL;
    vp_status f1, f2, f3;
    vp_findings_file_rewind_only(f, 1u << VP_FAIL, "change.authorized");
    size_t m1 = read_all(f, &f1, &err);
    vp_findings_file_rewind_only(f, 1u << VP_FAIL, "change.authorized");
    size_t m2 = read_all(f, &f2, &e2), m3 = m1;
    f3 = f1; /* the third pass is made only when the index is shared (a pass ran to the end) */
    if (!vp_findings_file_open(path, &g, &err) && vp_findings_file_share_index(g, f)) {
        vp_findings_file_rewind_only(g, 1u << VP_FAIL, "change.authorized");
        m3 = read_all(g, &f3, &e2);
        f3 = f3 == VP_ERR_NOMEM ? f1 : f3;
    }
    if (f1 != VP_ERR_NOMEM && f2 != VP_ERR_NOMEM && (m1 != m2 || f1 != f2 || m1 != m3 || f1 != f3))
        vp_fuzz_fail("findings", "filtered passes read %zu, %zu and %zu (status %d, %d, %d)", m1, m2, m3, f1, f2, f3);
    vp_findings_file_close(g);
    vp_findings_file_close(f);
    return 0;
}
