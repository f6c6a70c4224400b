/* Backup jobs (BackupJobs_List, recoveryservicesbackup examples/Common/ListJobs.json):
 * period evidence, validated here and kept out of the snapshot's in-memory arrays - a
 * quarter can hold a million jobs (docs/period-evidence.md). This slice checks each
 * job's shape without storing anything; the jobs.jsonl stream writer is the next one. */
#include <string.h>

#include "collect/internal.h"

vp_status vpo_norm_job(vp_res_ctx *c)
{
    const char *id = NULL, *type = NULL;
    char ptr[512];
    if (vp_jr_string(c->r, c->res, c->pointer, "id", &id) != VP_PRESENT || !*id) {
        if (c->r->status == VP_OK)
            vp_jr_fail(c->r, vp_json_pointer_join(ptr, sizeof ptr, c->pointer, "id"), "a non-empty ARM resource id",
                       cJSON_GetObjectItemCaseSensitive(c->res, "id"));
        return c->r->status;
    }
    vp_json_pointer_join(ptr, sizeof ptr, c->pointer, "properties");
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(c->res, "properties");
    if (!cJSON_IsObject(props)) {
        vp_jr_fail(c->r, ptr, "an object (the job)", props);
        return c->r->status;
    }
    /* jobType tells the workload kind (AzureIaaSVMJob, AzureWorkloadJob, MabJob, DpmJob...):
     * the one member every kind has */
    if (vp_jr_string(c->r, props, ptr, "jobType", &type) != VP_PRESENT && c->r->status == VP_OK) {
        char tp[512];
        vp_jr_fail(c->r, vp_json_pointer_join(tp, sizeof tp, ptr, "jobType"), "a string (the job's kind)",
                   cJSON_GetObjectItemCaseSensitive(props, "jobType"));
    }
    return c->r->status;
}
