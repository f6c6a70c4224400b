/* The snapshot readers on arbitrary text: vp_snapshot_read_json, and the lazy reader
 * with its per-item and per-VM walks. Oracles: a snapshot that reads writes back as one
 * that reads again to the same bytes (write, read, write is stable); the lazy reader
 * accepts what the full reader accepts, and its walks visit exactly item_count items and
 * vm_count VMs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vaultproof/snapshot.h"

static char *write_json(const vp_snapshot *s, size_t *len)
{
    char *buf = NULL;
    vp_error err = {0};
    FILE *fp = open_memstream(&buf, len);
    if (!fp)
        return NULL;
    vp_status st = vp_snapshot_write_json(s, fp, "memory", &err);
    fclose(fp);
    if (st) {
        if (st != VP_ERR_NOMEM)
            vp_fuzz_fail("snapshot", "a snapshot that was read cannot be written: %s", err.message);
        free(buf);
        return NULL;
    }
    return buf;
}

static vp_status count_item(void *ctx, const vp_item *item, vp_error *err)
{
    (void)item;
    (void)err;
    ++*(size_t *)ctx;
    return VP_OK;
}

static vp_status count_vm(void *ctx, const vp_vm *vm, vp_error *err)
{
    (void)vm;
    (void)err;
    ++*(size_t *)ctx;
    return VP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_snapshot *full = NULL, *lazy = NULL, *again = NULL;
    vp_error e1 = {0}, e2 = {0}, e3 = {0};
    char *first = NULL, *second = NULL;
    size_t first_len = 0, second_len = 0;

    const char *path = vp_fuzz_file("snapshot.json", data, size);
    vp_status s1 = vp_snapshot_read_json(path, &full, &e1);
    vp_status s2 = vp_snapshot_read_json_lazy(path, &lazy, &e2);
    if (s1 == VP_ERR_NOMEM || s2 == VP_ERR_NOMEM)
        goto done;
    if ((s1 == VP_OK) != (s2 == VP_OK))
        vp_fuzz_fail("snapshot", "full read says %d (%s), lazy read says %d (%s)", s1, e1.message, s2, e2.message);
    if (s1)
        goto done;

    size_t items = 0, vms = 0;
    vp_status s3 = vp_snapshot_each_item(lazy, count_item, &items, &e3);
    if (!s3)
        s3 = vp_snapshot_each_vm(lazy, count_vm, &vms, &e3);
    if (s3 && s3 != VP_ERR_NOMEM)
        vp_fuzz_fail("snapshot", "the lazy walk rejects a snapshot both readers accepted: %s", e3.message);
    if (!s3 && (items != full->item_count || vms != full->vm_count))
        vp_fuzz_fail("snapshot", "walked %zu items and %zu VMs; the full read has %zu and %zu", items, vms,
                     full->item_count, full->vm_count);

    if (!(first = write_json(full, &first_len)))
        goto done;
    const char *path2 = vp_fuzz_file("rewritten.json", (const uint8_t *)first, first_len);
    vp_status s4 = vp_snapshot_read_json(path2, &again, &e3);
    if (s4 == VP_ERR_NOMEM)
        goto done;
    if (s4)
        vp_fuzz_fail("snapshot", "a snapshot written by vaultproof does not read back: %s", e3.message);
    if (!(second = write_json(again, &second_len)))
        goto done;
    if (first_len != second_len || memcmp(first, second, first_len))
        vp_fuzz_fail("snapshot", "write, read, write is not stable (%zu vs %zu bytes)", first_len, second_len);
done:
    free(first);
    free(second);
    vp_snapshot_free(full);
    vp_snapshot_free(lazy);
    vp_snapshot_free(again);
    return 0;
}
