/* The strict JSON layer on arbitrary bytes. Oracle: the plain and the pooled parser are
 * one parser over two allocators, so they must agree on acceptance, on the message and
 * on the tree (compared as printed by cJSON); an accepted tree must print as JSON that
 * the strict parser accepts again. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vaultproof/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *plain = NULL, *pooled = NULL;
    vp_error e1 = {0}, e2 = {0};
    vp_json_pool *pool = vp_json_pool_new();
    if (!pool)
        return 0;

    vp_status s1 = vp_json_parse("fuzz.json", (const char *)data, size, &plain, &e1);
    vp_status s2 = vp_json_parse_pooled("fuzz.json", (const char *)data, size, pool, &pooled, &e2);
    if (s1 == VP_ERR_NOMEM || s2 == VP_ERR_NOMEM)
        goto done;
    if (s1 != s2)
        vp_fuzz_fail("json", "plain parse says %d (%s), pooled says %d (%s)", s1, e1.message, s2, e2.message);
    if (s1 && strcmp(e1.message, e2.message))
        vp_fuzz_fail("json", "messages differ: \"%s\" / \"%s\"", e1.message, e2.message);
    if (!s1) {
        char *a = cJSON_PrintUnformatted(plain), *b = cJSON_PrintUnformatted(pooled);
        if (a && b && strcmp(a, b))
            vp_fuzz_fail("json", "trees differ: %s / %s", a, b);
        if (a) {
            cJSON *again = NULL;
            vp_error e3 = {0};
            vp_status s3 = vp_json_parse("reprinted.json", a, strlen(a), &again, &e3);
            if (s3 && s3 != VP_ERR_NOMEM)
                vp_fuzz_fail("json", "an accepted document reprints as one it rejects: %s", e3.message);
            cJSON_Delete(again);
        }
        free(a);
        free(b);
    }
done:
    cJSON_Delete(plain);
    vp_json_pool_free(pool);
    return 0;
}
