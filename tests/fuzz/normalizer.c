/* One ARM response body through the collect normalizer, as replay and live collection
 * feed it (vp_normalizer_add, then vp_normalizer_finish). The input is the body, or the
 * body, one NUL byte and its capture sidecar (docs/replay-format.md). Bodies are
 * classified by their resources' "type", so the input itself picks the operation. A
 * subscription and a vault are added first, so child resources (policies, items, vault
 * configs) have a parent to link to. Oracle: no crash, leak or sanitizer report, and a
 * snapshot that finishes is written as canonical JSON without error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vaultproof/collect.h"
#include "vaultproof/worm.h"

static const char context_subscriptions[] =
    "{\"value\":[{\"id\":\"/subscriptions/sub-a\",\"subscriptionId\":\"sub-a\",\"displayName\":\"A\","
    "\"state\":\"Enabled\",\"tenantId\":\"t-1\"}]}";
static const char context_vaults[] =
    "{\"value\":[{\"id\":\"/subscriptions/sub-a/resourceGroups/rg-a/providers/Microsoft.RecoveryServices/vaults/"
    "vault-a\",\"name\":\"vault-a\",\"type\":\"Microsoft.RecoveryServices/vaults\",\"location\":\"westeurope\","
    "\"properties\":{\"provisioningState\":\"Succeeded\",\"securitySettings\":{\"immutabilitySettings\":"
    "{\"state\":\"Locked\"}}}}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_worm_catalog *worm = NULL;
    vp_normalizer *n = NULL;
    vp_snapshot *snap = NULL;
    vp_error err = {0};
    vp_collect_options opt = {.source_kind = "replay", .input = "fuzz", .clock = {.epoch = 1790748000, .pinned = 1}};

    const uint8_t *nul = memchr(data, 0, size);
    size_t body_len = nul ? (size_t)(nul - data) : size;
    const char *sidecar = nul ? (const char *)nul + 1 : NULL;
    size_t sidecar_len = nul ? size - body_len - 1 : 0;

    if (vp_worm_catalog_builtin(&worm, &err))
        vp_fuzz_fail("normalizer", "built-in catalog: %s", err.message);
    opt.worm = worm;
    if (vp_normalizer_new(&opt, &n, &err))
        goto done;
    if (vp_normalizer_add(n, "subscriptions.json", context_subscriptions, sizeof context_subscriptions - 1, NULL,
                          NULL, 0, &err) ||
        vp_normalizer_add(n, "subscriptions/sub-a/vaults.json", context_vaults, sizeof context_vaults - 1, NULL, NULL,
                          0, &err))
        vp_fuzz_fail("normalizer", "context bodies rejected: %s", err.message);
    if (vp_normalizer_add(n, "subscriptions/sub-a/fuzz.json", (const char *)data, body_len,
                          sidecar ? "subscriptions/sub-a/fuzz.meta.json" : NULL, sidecar, sidecar_len, &err)) {
        vp_normalizer_free(n);
        goto done;
    }
    if (vp_normalizer_finish(n, &snap, &err) == VP_OK) {
        char *buf = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&buf, &len);
        if (fp) {
            vp_status st = vp_snapshot_write_json(snap, fp, "memory", &err);
            fclose(fp);
            if (st && st != VP_ERR_NOMEM)
                vp_fuzz_fail("normalizer", "a finished snapshot cannot be written: %s", err.message);
        }
        free(buf);
    }
done:
    vp_snapshot_free(snap);
    vp_worm_catalog_free(worm);
    return 0;
}
