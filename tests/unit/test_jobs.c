/* The backup jobs stream (src/collect/norm_job.c): one line per job in the period, in the
 * recording's order, from Microsoft's ListJobs.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "vaultproof/arm.h"
#include "vaultproof/collect.h"
#include "vaultproof/period.h"
#include "vp_test.h"

#define VAULT "/Subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/SwaggerTestRg/providers/" \
              "Microsoft.RecoveryServices/vaults/NetSDKTestRsVault"

/* Normalizes body as "jobs.json" over [from, to); returns the stream (malloc'd). */
static char *stream(const char *body, const char *from, const char *to, vp_snapshot **s)
{
    vp_period p;
    vp_error e = {0};
    char *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(vp_period_range(from, to, "test", &p, &e), VP_OK);
    FILE *fp = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(fp);
    vp_test_body b[] = {{"jobs.json", body, NULL}};
    ck_assert_msg(vp_test_normalize_jobs(b, 1, &p, fp, s, &e) == VP_OK, "%s", e.message);
    fclose(fp);
    return buf;
}

START_TEST(iaasvm_jobs_as_lines)
{
    char *body = vp_test_data("azure", "ListJobs.json");
    vp_snapshot *s = NULL;
    char *out = stream(body, "2017-08-01T00:00:00Z", "2017-09-01T00:00:00Z", &s);
    ck_assert_str_eq(out,
                     "{\"id\":\"" VAULT "/backupJobs/00000000-0000-0000-0000-000000000000\",\"vault_id\":\"" VAULT
                     "\",\"kind\":\"AzureIaaSVMJob\",\"management_type\":\"AzureIaasVM\",\"entity\":\"testvm\",\"operation\":\"Backup\",\"status\":"
                     "\"InProgress\",\"start\":\"2017-08-03T05:31:07.014604Z\",\"end\":null,\"duration\":"
                     "\"PT12.4272909S\",\"error_codes\":[],\"source\":{\"file\":\"jobs.json\",\"pointer\":\"/value/0\"}}\n"
                     "{\"id\":\"" VAULT "/backupJobs/00000000-0000-0000-0000-000000000000\",\"vault_id\":\"" VAULT
                     "\",\"kind\":\"AzureIaaSVMJob\",\"management_type\":\"AzureIaasVM\",\"entity\":\"testvm\",\"operation\":\"ConfigureBackup\",\"status\":"
                     "\"Completed\",\"start\":\"2017-08-03T05:30:32.4487085Z\",\"end\":\"2017-08-03T05:31:03.7553376Z\","
                     "\"duration\":\"PT31.3066291S\",\"error_codes\":[],\"source\":{\"file\":\"jobs.json\",\"pointer\":"
                     "\"/value/1\"}}\n");
    ck_assert_int_eq(s->collection.job_count, 2);
    ck_assert_int_eq(s->collection.jobs_outside_period, 0);
    ck_assert_uint_eq(s->collection.warning_count, 0);
    free(out);
    vp_snapshot_free(s);
    free(body);
}
END_TEST

START_TEST(jobs_outside_the_period_are_counted_not_written)
{
    char *body = vp_test_data("azure", "ListJobs.json");
    vp_snapshot *s = NULL;
    /* the two jobs start at 05:31:07.01 and 05:30:32.45: [05:31:00, 05:32:00) holds one
     * (the fraction is dropped: 05:31:07), and a period ending at 05:31:07 is before it */
    char *out = stream(body, "2017-08-03T05:31:00Z", "2017-08-03T05:32:00Z", &s);
    ck_assert_ptr_nonnull(strstr(out, "\"operation\":\"Backup\""));
    ck_assert_ptr_null(strstr(out, "ConfigureBackup"));
    ck_assert_int_eq(s->collection.job_count, 1);
    ck_assert_int_eq(s->collection.jobs_outside_period, 1);
    free(out);
    vp_snapshot_free(s);
    out = stream(body, "2017-08-03T05:30:32Z", "2017-08-03T05:31:07Z", &s);
    ck_assert_ptr_null(strstr(out, "\"operation\":\"Backup\"")); /* starts at the end: outside */
    ck_assert_ptr_nonnull(strstr(out, "ConfigureBackup"));       /* starts at the start: inside */
    free(out);
    vp_snapshot_free(s);
    free(body);
}
END_TEST

/* Constructed from ListJobs.json: a kind vaultproof does not know, twice, and error codes
 * as IaaS VM jobs carry them (errorDetails[].errorCode, a number) and as text. */
START_TEST(unknown_kind_kept_verbatim_and_error_codes)
{
    static const char body[] =
        "{\"value\":[{\"id\":\"" VAULT "/backupJobs/a\",\"type\":\"Microsoft.RecoveryServices/vaults/backupJobs\","
        "\"properties\":{\"jobType\":\"FutureJob\",\"operation\":\"Backup\",\"status\":\"Failed\","
        "\"startTime\":\"2026-08-01T01:00:00Z\",\"errorDetails\":[{\"errorCode\":400002},{\"errorCode\":\"UserErrorX\"},"
        "{\"errorString\":\"no code\"}]}},"
        "{\"id\":\"" VAULT "/backupJobs/b\",\"type\":\"Microsoft.RecoveryServices/vaults/backupJobs\","
        "\"properties\":{\"jobType\":\"FutureJob\",\"startTime\":\"2026-08-02T01:00:00Z\"}}]}";
    vp_snapshot *s = NULL;
    char *out = stream(body, "2026-07-01T00:00:00Z", "2026-10-01T00:00:00Z", &s);
    ck_assert_ptr_nonnull(strstr(out, "\"kind\":\"FutureJob\",\"management_type\":null,\"entity\":null,\"operation\":\"Backup\",\"status\":"
                                      "\"Failed\""));
    ck_assert_ptr_nonnull(strstr(out, "\"error_codes\":[\"400002\",\"UserErrorX\"]"));
    ck_assert_int_eq(s->collection.job_count, 2);
    ck_assert_uint_eq(s->collection.warning_count, 1); /* one per kind, not per job */
    ck_assert_str_eq(s->collection.warnings[0].code, "unknown-enum");
    ck_assert_ptr_nonnull(strstr(s->collection.warnings[0].message, "FutureJob"));
    free(out);
    vp_snapshot_free(s);
}
END_TEST


/* Microsoft's AzureWorkloadJob (SQL in a VM): a failed full backup, its error code, and a
 * duration that is not ISO 8601, kept verbatim. */
START_TEST(workload_job_with_error_code)
{
    char *body = vp_test_data("azure", "manage-azure-sql-vm-rest-backup-job.json");
    vp_snapshot *s = NULL;
    char *out = stream(body, "2018-05-01T00:00:00Z", "2018-06-01T00:00:00Z", &s);
    ck_assert_str_eq(out, "{\"id\":\"/subscriptions/00000000-0000-0000-0000-0000000000/resourceGroups/SQLServerSelfHost/"
                          "providers/microsoft.recoveryservices/vaults/SQLServer2012/backupJobs/"
                          "c22eca5d-0c1c-48a0-a40d-69bef708d92a\",\"vault_id\":\"/subscriptions/"
                          "00000000-0000-0000-0000-0000000000/resourceGroups/SQLServerSelfHost/providers/"
                          "microsoft.recoveryservices/vaults/SQLServer2012\",\"kind\":\"AzureWorkloadJob\",\"management_type\":\"AzureWorkload\",\"entity\":"
                          "\"MSSQLSERVER/msDB [sqlserver-0.contoso.com]\",\"operation\":\"Backup (Full)\",\"status\":"
                          "\"Failed\",\"start\":\"2018-05-28T11:43:21.6516182Z\",\"end\":\"2018-05-28T11:46:35.2955649Z\","
                          "\"duration\":\"00:03:13.6439467\",\"error_codes\":[\"510008\"],\"source\":{\"file\":"
                          "\"jobs.json\",\"pointer\":\"/value/0\"}}\n");
    ck_assert_uint_eq(s->collection.warning_count, 0);
    free(out);
    vp_snapshot_free(s);
    free(body);
}
END_TEST

#define SQLJOB "/subscriptions/00000000-0000-0000-0000-0000000000/resourceGroups/SQLServerSelfHost/providers/" \
               "microsoft.recoveryservices/vaults/SQLServer2012/backupJobs/c22eca5d-0c1c-48a0-a40d-69bef708d92a"

static char *capture(const char *op, const char *scope)
{
    char *buf = malloc(2048);
    snprintf(buf, 2048,
             "{\"format\":\"vaultproof-capture/1\",\"url\":\"https://management.azure.com%s?api-version=2026-02-01\","
             "\"status\":200,\"requested_at\":\"2026-09-30T02:00:01Z\",\"received_at\":\"2026-09-30T02:00:02Z\","
             "\"call\":{\"operation\":\"%s\",\"scope\":\"%s\",\"page\":1,\"next_link\":null,\"complete\":true,"
             "\"error\":null}}",
             scope, op, scope);
    return buf;
}

static const vp_list_call *find_call(const vp_snapshot *s, const char *op, const char *scope)
{
    for (size_t i = 0; i < s->collection.list_count; i++)
        if (!strcmp(s->collection.lists[i].operation, op) && !strcasecmp(s->collection.lists[i].scope, scope))
            return &s->collection.lists[i];
    return NULL;
}

/* Microsoft Learn's failed workload job, as its list entry and as the GET of its details
 * (the page's body is that GET's): a job line, then a detail line with the error's code,
 * message and recommendations; the details GET is expected for the Failed job and, with
 * its sidecar, complete. */
START_TEST(failed_job_details_line_and_expectation)
{
    char *list = vp_test_data("azure", "manage-azure-sql-vm-rest-backup-job.json");
    cJSON *root = cJSON_Parse(list);
    char *detail = cJSON_PrintUnformatted(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "value"), 0));
    char *s_list = capture("backupJobs", "/subscriptions/00000000-0000-0000-0000-0000000000/resourceGroups/"
                                         "SQLServerSelfHost/providers/microsoft.recoveryservices/vaults/SQLServer2012");
    char *s_detail = capture("backupJobDetails", SQLJOB);
    vp_period p;
    vp_error e = {0};
    char *buf = NULL;
    size_t len = 0;
    vp_snapshot *s = NULL;
    ck_assert_int_eq(vp_period_range("2018-05-01T00:00:00Z", "2018-06-01T00:00:00Z", "test", &p, &e), VP_OK);
    FILE *fp = open_memstream(&buf, &len);
    vp_test_body b[] = {{"v/backupJobs.json", list, s_list}, {"v/backupJobs/c22eca5d.json", detail, s_detail}};
    ck_assert_msg(vp_test_normalize_jobs(b, 2, &p, fp, &s, &e) == VP_OK, "%s", e.message);
    fclose(fp);
    const char *second = strchr(buf, '\n') + 1;
    ck_assert_str_eq(second,
                     "{\"detail_of\":\"" SQLJOB "\",\"vault_id\":\"/subscriptions/00000000-0000-0000-0000-0000000000/"
                     "resourceGroups/SQLServerSelfHost/providers/microsoft.recoveryservices/vaults/SQLServer2012\","
                     "\"errors\":[{\"code\":\"510008\",\"message\":\"Operation cancelled as a conflicting operation was "
                     "already running on the same database.\",\"recommendations\":[\"Please try again after sometime.\"]}],"
                     "\"source\":{\"file\":\"v/backupJobs/c22eca5d.json\",\"pointer\":\"\"}}\n");
    ck_assert_int_eq(s->collection.job_count, 1); /* a detail is not a job */
    const vp_list_call *l = find_call(s, "backupJobDetails", SQLJOB);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(l->status, VP_LIST_COMPLETE);
    vp_snapshot_free(s);
    free(buf);
    /* without the details: expected all the same, and missing */
    ck_assert_msg(vp_test_normalize_period(b, 1, &p, &s, &e) == VP_OK, "%s", e.message);
    l = find_call(s, "backupJobDetails", SQLJOB);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(l->status, VP_LIST_MISSING);
    ck_assert_int_eq(s->collection.complete, 0);
    vp_snapshot_free(s);
    /* without a period nothing of the jobs is expected */
    ck_assert_msg(vp_test_normalize(b, 1, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_ptr_null(find_call(s, "backupJobDetails", SQLJOB));
    vp_snapshot_free(s);
    free(s_list);
    free(s_detail);
    free(detail);
    cJSON_Delete(root);
    free(list);
}
END_TEST

/* Microsoft's GetJobDetails.json (an InProgress job, no errorDetails), offline: a body
 * that is one job, not a list, is read as details - a detail line with no errors. */
START_TEST(get_job_details_example_offline)
{
    char *body = vp_test_data("azure", "GetJobDetails.json");
    vp_snapshot *s = NULL;
    char *out = stream(body, "2017-08-01T00:00:00Z", "2017-09-01T00:00:00Z", &s);
    ck_assert_str_eq(out, "{\"detail_of\":\"" VAULT "/backupJobs/00000000-0000-0000-0000-000000000000\",\"vault_id\":\""
                          VAULT "\",\"errors\":[],\"source\":{\"file\":\"jobs.json\",\"pointer\":\"\"}}\n");
    ck_assert_int_eq(s->collection.job_count, 0);
    free(out);
    vp_snapshot_free(s);
    free(body);
}
END_TEST

/* collection.jobs.vaults: per vault, the jobs its list returned (in the period or not) and
 * the earliest start among them, written with a period and read back. */
START_TEST(earliest_start_per_vault)
{
    char *body = vp_test_data("azure", "ListJobs.json");
    vp_snapshot *s = NULL, *back = NULL;
    vp_error e = {0};
    /* the period holds one of the two jobs; the earliest start read is the other's */
    char *out = stream(body, "2017-08-03T05:31:00Z", "2017-08-03T05:32:00Z", &s);
    ck_assert_uint_eq(s->collection.job_vault_count, 1);
    ck_assert_str_eq(s->collection.job_vaults[0].vault_id, VAULT);
    ck_assert_int_eq(s->collection.job_vaults[0].jobs_read, 2);
    ck_assert_str_eq(s->collection.job_vaults[0].earliest_start, "2017-08-03T05:30:32.4487085Z");
    char *json = vp_test_snapshot_json(s);
    ck_assert_ptr_nonnull(strstr(json, "\"vaults\":[{\"vault_id\":\"" VAULT "\",\"jobs_read\":2,\"earliest_start\":"
                                       "\"2017-08-03T05:30:32.4487085Z\"}]"));
    char path[] = "/tmp/vp-jobs-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    ck_assert_msg(vp_snapshot_read_json(path, &back, &e) == VP_OK, "%s", e.message);
    unlink(path);
    ck_assert_uint_eq(back->collection.job_vault_count, 1);
    ck_assert_str_eq(back->collection.job_vaults[0].vault_id, VAULT);
    ck_assert_int_eq(back->collection.job_vaults[0].jobs_read, 2);
    ck_assert_str_eq(back->collection.job_vaults[0].earliest_start, "2017-08-03T05:30:32.4487085Z");
    vp_snapshot_free(back);
    free(json);
    free(out);
    vp_snapshot_free(s);
    /* no period: no jobs member at all, as before */
    vp_test_body b[] = {{"jobs.json", body, NULL}};
    ck_assert_msg(vp_test_normalize(b, 1, &s, &e) == VP_OK, "%s", e.message);
    json = vp_test_snapshot_json(s);
    ck_assert_ptr_null(strstr(json, "\"jobs\""));
    ck_assert_uint_eq(s->collection.job_vault_count, 0);
    free(json);
    vp_snapshot_free(s);
    free(body);
}
END_TEST

/* Repeats within one vault's list: Microsoft's ListJobs.json has two jobs with one all-zero
 * id (different operations and starts: two jobs, both kept); the same job read twice (its
 * id, start and operation), as paging under inserts can give, is one line and counted. */
START_TEST(repeats_dropped_and_counted)
{
    char *body = vp_test_data("azure", "ListJobs.json");
    cJSON *root = cJSON_Parse(body), *value = cJSON_GetObjectItem(root, "value");
    cJSON_AddItemToArray(value, cJSON_Duplicate(cJSON_GetArrayItem(value, 0), 1));
    cJSON_AddItemToArray(value, cJSON_Duplicate(cJSON_GetArrayItem(value, 1), 1));
    char *twice = cJSON_PrintUnformatted(root);
    vp_snapshot *s = NULL, *once = NULL;
    char *out = stream(twice, "2017-08-01T00:00:00Z", "2017-09-01T00:00:00Z", &s);
    char *again = stream(body, "2017-08-01T00:00:00Z", "2017-09-01T00:00:00Z", &once);
    ck_assert_int_eq(once->collection.jobs_duplicates, 0); /* one id, two jobs: no repeat */
    vp_snapshot_free(once);
    ck_assert_str_eq(out, again); /* the repeats wrote nothing */
    ck_assert_int_eq(s->collection.job_count, 2);
    ck_assert_int_eq(s->collection.jobs_duplicates, 2);
    ck_assert_int_eq(s->collection.job_vaults[0].jobs_read, 2);
    char *json = vp_test_snapshot_json(s);
    ck_assert_ptr_nonnull(strstr(json, "\"duplicates\":2,"));
    free(json);
    vp_snapshot_free(s);
    free(out);
    free(again);
    free(twice);
    cJSON_Delete(root);
    free(body);
}
END_TEST

#define CRR_VAULT "/subscriptions/f2edfd5d-5496-4683-b94f-b3588c579009/resourceGroups/srinivasccyrg/providers/" \
                  "Microsoft.RecoveryServices/vaults/sriniccyvault"

/* Microsoft's ListCrrJobs_Post.json: a CrossRegionRestore job whose id names the secondary
 * location. Recorded for a vault, its line carries that vault (the sidecar's scope) and
 * "crr": true after error_codes; read offline (no sidecar) it is still a CRR job - told by
 * its id - with no vault. No details are expected for CRR jobs. */
START_TEST(crr_jobs_carry_their_vault_and_crr)
{
    char *body = vp_test_data("azure", "ListCrrJobs_Post.json");
    char *side = capture("backupCrrJobs", CRR_VAULT);
    vp_period p;
    vp_error e = {0};
    char *buf = NULL;
    size_t len = 0;
    vp_snapshot *s = NULL;
    ck_assert_int_eq(vp_period_range("2019-10-01T00:00:00Z", "2019-11-01T00:00:00Z", "test", &p, &e), VP_OK);
    FILE *fp = open_memstream(&buf, &len);
    vp_test_body b[] = {{"v/backupCrrJobs.json", body, side}};
    ck_assert_msg(vp_test_normalize_jobs(b, 1, &p, fp, &s, &e) == VP_OK, "%s", e.message);
    fclose(fp);
    ck_assert_str_eq(buf, "{\"id\":\"/subscriptions/f2edfd5d-5496-4683-b94f-b3588c579009/providers/microsoft.recoveryservices/"
                          "locations/eastus2euap/backupJobs/02585cc9-d7f4-4b46-860c-14c048cce178\",\"vault_id\":\"" CRR_VAULT
                          "\",\"kind\":\"AzureIaaSVMJob\",\"management_type\":\"AzureIaasVM\",\"entity\":\"sriniccylinux\","
                          "\"operation\":\"CrossRegionRestore\",\"status\":\"InProgress\",\"start\":"
                          "\"2019-10-12T10:22:43.9139656Z\",\"end\":null,\"duration\":null,\"error_codes\":[],\"crr\":true,"
                          "\"source\":{\"file\":\"v/backupCrrJobs.json\",\"pointer\":\"/value/0\"}}\n");
    ck_assert_int_eq(s->collection.job_count, 1);
    ck_assert_uint_eq(s->collection.job_vault_count, 0); /* earliest_start is of backupJobs only */
    vp_snapshot_free(s);
    free(buf);
    char *out = stream(body, "2019-10-01T00:00:00Z", "2019-11-01T00:00:00Z", &s);
    ck_assert_ptr_nonnull(strstr(out, "\"vault_id\":null,"));
    ck_assert_ptr_nonnull(strstr(out, "\"crr\":true,"));
    free(out);
    vp_snapshot_free(s);
    free(side);
    free(body);
}
END_TEST

/* The secondary region of a location: pairs both ways, the list's one-way pairs, and none
 * for a nonpaired region. */
START_TEST(paired_regions)
{
    ck_assert_str_eq(vp_arm_paired_region("germanynorth"), "germanywestcentral");
    ck_assert_str_eq(vp_arm_paired_region("germanywestcentral"), "germanynorth");
    ck_assert_str_eq(vp_arm_paired_region("switzerlandwest"), "switzerlandnorth");
    ck_assert_str_eq(vp_arm_paired_region("southindia"), "centralindia");
    ck_assert_str_eq(vp_arm_paired_region("westindia"), "southindia");
    ck_assert_str_eq(vp_arm_paired_region("westus3"), "eastus");
    ck_assert_str_eq(vp_arm_paired_region("eastus"), "westus");
    ck_assert_str_eq(vp_arm_paired_region("brazilsouth"), "southcentralus");
    ck_assert_str_eq(vp_arm_paired_region("southcentralus"), "northcentralus");
    ck_assert_ptr_null(vp_arm_paired_region("polandcentral"));
    ck_assert_ptr_null(vp_arm_paired_region("spaincentral"));
    ck_assert_ptr_null(vp_arm_paired_region(NULL));
    const vp_arm_operation *crr = vp_arm_get(VP_ARM_BACKUP_CRR_JOBS);
    ck_assert_str_eq(crr->method, "POST");
    ck_assert(crr->crr_only && crr->period);
    ck_assert_str_eq(vp_arm_api_default(crr->api), "2024-11-15");
}
END_TEST

/* collect --import-jobs: rows of a Log Analytics AddonAzureBackupJobs export become job
 * lines only for a vault of the snapshot and only before the earliest job its list
 * returned (ARM holds the rest), inside the period; the query API's JSON and CSV alike. */
static char *import_into(const char *export_text, vp_snapshot *s, vp_status want, vp_error *e)
{
    char path[] = "/tmp/vp-import-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, export_text, strlen(export_text)), (ssize_t)strlen(export_text));
    close(fd);
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    ck_assert_int_eq(vp_collect_import_jobs(path, "la-export", s, fp, e), want);
    fclose(fp);
    unlink(path);
    return buf;
}

START_TEST(log_analytics_import_fills_the_aged_out_start)
{
    /* the vault's list starts at 2017-08-03T05:30:32.45Z: [2017-08-01, that) is not held */
    char *body = vp_test_data("azure", "ListJobs.json");
    vp_snapshot *s = NULL;
    vp_error e = {0};
    char *own = stream(body, "2017-08-01T00:00:00Z", "2017-09-01T00:00:00Z", &s);
    static const char json[] =
        "{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"JobUniqueId\",\"type\":\"string\"},"
        "{\"name\":\"_ResourceId\",\"type\":\"string\"},{\"name\":\"BackupItemFriendlyName\",\"type\":\"string\"},"
        "{\"name\":\"BackupManagementType\",\"type\":\"string\"},{\"name\":\"JobOperation\",\"type\":\"string\"},"
        "{\"name\":\"JobStatus\",\"type\":\"string\"},{\"name\":\"JobStartDateTime\",\"type\":\"datetime\"},"
        "{\"name\":\"JobDurationInSecs\",\"type\":\"real\"},{\"name\":\"JobFailureCode\",\"type\":\"string\"}],"
        "\"rows\":["
        "[\"j1\",\"/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/swaggertestrg/providers/"
        "microsoft.recoveryservices/vaults/netsdktestrsvault\",\"testvm\",\"AzureIaasVM\",\"Backup\",\"Failed\","
        "\"2017-08-02T20:00:00Z\",1800,\"UserErrorX\"],"
        "[\"j2\",\"/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/swaggertestrg/providers/"
        "microsoft.recoveryservices/vaults/netsdktestrsvault\",\"testvm\",\"AzureIaasVM\",\"Backup\",\"Completed\","
        "\"2017-08-03T06:00:00Z\",60,\"\"],"
        "[\"j3\",\"/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg/providers/"
        "microsoft.recoveryservices/vaults/other\",\"x\",\"AzureIaasVM\",\"Backup\",\"Completed\","
        "\"2017-08-02T20:00:00Z\",60,null],"
        "[\"j4\",\"/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/swaggertestrg/providers/"
        "microsoft.recoveryservices/vaults/netsdktestrsvault\",\"testvm\",\"AzureIaasVM\",\"Backup\",\"Completed\","
        "\"2017-07-30T20:00:00Z\",60,null]]}]}";
    char *out = import_into(json, s, VP_OK, &e);
    ck_assert_str_eq(out, "{\"id\":\"j1\",\"vault_id\":\"" VAULT "\",\"kind\":null,\"management_type\":\"AzureIaasVM\","
                          "\"entity\":\"testvm\",\"operation\":\"Backup\",\"status\":\"Failed\",\"start\":"
                          "\"2017-08-02T20:00:00Z\",\"end\":null,\"duration\":\"PT1800S\",\"error_codes\":[\"UserErrorX\"],"
                          "\"source\":{\"file\":\"la-export\",\"pointer\":\"/tables/0/rows/0\"}}\n");
    ck_assert_int_eq(s->collection.jobs_import_rows, 4);
    ck_assert_int_eq(s->collection.jobs_imported, 1);
    ck_assert_str_eq(s->collection.jobs_import_file, "la-export");
    char *snap = vp_test_snapshot_json(s);
    ck_assert_ptr_nonnull(strstr(snap, "\"imported\":{\"file\":\"la-export\",\"sha256\":\""));
    ck_assert_ptr_nonnull(strstr(snap, "\",\"rows\":4,\"jobs\":1}"));
    free(snap);
    free(out);
    /* CSV with a header row (quoted fields, a comma inside one, CRLF), the same rule */
    static const char csv[] =
        "JobUniqueId,ResourceId,BackupItemFriendlyName,JobOperation,JobStatus,JobStartDateTime,JobDurationInSecs\r\n"
        "j1,/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/SWAGGERTESTRG/PROVIDERS/"
        "MICROSOFT.RECOVERYSERVICES/VAULTS/NETSDKTESTRSVAULT,\"test,\"\"vm\"\"\",Backup,Completed,2017-08-01T00:00:00Z,5\r\n"
        "\r\n"
        "j2,/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/SWAGGERTESTRG/PROVIDERS/"
        "MICROSOFT.RECOVERYSERVICES/VAULTS/NETSDKTESTRSVAULT,testvm,Backup,Completed,2017-08-05T00:00:00Z,5\r\n";
    out = import_into(csv, s, VP_OK, &e);
    ck_assert_ptr_nonnull(strstr(out, "\"id\":\"j1\","));
    ck_assert_ptr_nonnull(strstr(out, "\"entity\":\"test,\\\"vm\\\"\""));
    ck_assert_ptr_nonnull(strstr(out, "\"pointer\":\"/1\"}}\n"));
    ck_assert_ptr_null(strstr(out, "\"j2\""));
    ck_assert_int_eq(s->collection.jobs_imported, 1);
    free(out);
    /* a missing column and a start that is not RFC 3339: input errors that say so */
    out = import_into("JobUniqueId,JobStartDateTime\n", s, VP_ERR_INPUT, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "no column JobOperation"));
    free(out);
    out = import_into("JobUniqueId,_ResourceId,JobOperation,JobStatus,JobStartDateTime\n"
                      "j,v,Backup,Completed,\"8/1/2017, 8:00:00.000 PM\"\n", s, VP_ERR_INPUT, &e);
    ck_assert_ptr_nonnull(strstr(e.message, "/1: JobStartDateTime '8/1/2017, 8:00:00.000 PM'; expected an RFC 3339"));
    free(out);
    vp_snapshot_free(s);
    free(own);
    free(body);
}
END_TEST

/* The statuses that get a details GET, and the page cap per operation. */
START_TEST(details_statuses_and_page_caps)
{
    ck_assert(vp_arm_job_needs_details("Failed"));
    ck_assert(vp_arm_job_needs_details("CompletedWithWarnings"));
    ck_assert(!vp_arm_job_needs_details("Completed"));
    ck_assert(!vp_arm_job_needs_details("InProgress"));
    ck_assert(!vp_arm_job_needs_details(NULL));
    /* a period's job list is never cut; every other list keeps the collector's cap */
    ck_assert_int_eq(vp_arm_page_cap(vp_arm_get(VP_ARM_BACKUP_JOBS), 1000), 0);
    ck_assert_int_eq(vp_arm_page_cap(vp_arm_get(VP_ARM_BACKUP_JOBS), 5), 0);
    ck_assert_int_eq(vp_arm_page_cap(vp_arm_get(VP_ARM_BACKUP_CRR_JOBS), 5), 0);
    ck_assert_int_eq(vp_arm_page_cap(vp_arm_get(VP_ARM_BACKUP_PROTECTED_ITEMS), 5), 5);
    ck_assert_int_eq(vp_arm_page_cap(vp_arm_get(VP_ARM_BACKUP_PROTECTED_ITEMS), 0), 1000);
    ck_assert_int_eq(vp_arm_page_cap(vp_arm_get(VP_ARM_VAULTS), -3), 1000);
    /* a refused details GET is never excused, unlike a refused guard */
    ck_assert(!vp_arm_refusal_is_evidence(vp_arm_get(VP_ARM_BACKUP_JOB_DETAILS), 403));
    ck_assert(vp_arm_refusal_is_evidence(vp_arm_get(VP_ARM_RESOURCE_GUARDS), 403));
}
END_TEST

Suite *jobs_suite(void); /* registered in main.c */
Suite *jobs_suite(void)
{
    Suite *s = suite_create("jobs");
    TCase *tc = tcase_create("stream");
    tcase_add_test(tc, iaasvm_jobs_as_lines);
    tcase_add_test(tc, workload_job_with_error_code);
    tcase_add_test(tc, jobs_outside_the_period_are_counted_not_written);
    tcase_add_test(tc, unknown_kind_kept_verbatim_and_error_codes);
    tcase_add_test(tc, failed_job_details_line_and_expectation);
    tcase_add_test(tc, get_job_details_example_offline);
    tcase_add_test(tc, details_statuses_and_page_caps);
    tcase_add_test(tc, earliest_start_per_vault);
    tcase_add_test(tc, repeats_dropped_and_counted);
    tcase_add_test(tc, crr_jobs_carry_their_vault_and_crr);
    tcase_add_test(tc, paired_regions);
    tcase_add_test(tc, log_analytics_import_fills_the_aged_out_start);
    suite_add_tcase(s, tc);
    return s;
}
