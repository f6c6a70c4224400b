/* The backup jobs stream (src/collect/norm_job.c): one line per job in the period, in the
 * recording's order, from Microsoft's ListJobs.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

Suite *jobs_suite(void); /* registered in main.c */
Suite *jobs_suite(void)
{
    Suite *s = suite_create("jobs");
    TCase *tc = tcase_create("stream");
    tcase_add_test(tc, iaasvm_jobs_as_lines);
    tcase_add_test(tc, workload_job_with_error_code);
    tcase_add_test(tc, jobs_outside_the_period_are_counted_not_written);
    tcase_add_test(tc, unknown_kind_kept_verbatim_and_error_codes);
    suite_add_tcase(s, tc);
    return s;
}
