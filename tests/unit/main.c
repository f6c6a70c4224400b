#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "vaultproof/fileio.h"
#include "vaultproof/worm.h"
#include "vp_test.h"

int vp_test_sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    ck_assert_int_lt(n, (int)sizeof cmd);
    int rc = system(cmd);
    ck_assert_int_ne(rc, -1);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

char *vp_test_data(const char *dir, const char *name)
{
    char path[1024], *data = NULL;
    size_t len = 0;
    vp_error e = {0};
    const char *root = getenv("VP_TEST_DATA");
    snprintf(path, sizeof path, "%s/%s/%s", root ? root : "tests/data", dir, name);
    ck_assert_msg(vp_read_file(path, &data, &len, &e) == VP_OK, "%s", e.message);
    return data;
}

vp_status vp_test_normalize(const vp_test_body *bodies, size_t n, vp_snapshot **out, vp_error *err)
{
    return vp_test_normalize_period(bodies, n, NULL, out, err);
}

vp_status vp_test_normalize_period(const vp_test_body *bodies, size_t n, const vp_period *period, vp_snapshot **out,
                                   vp_error *err)
{
    return vp_test_normalize_jobs(bodies, n, period, NULL, out, err);
}

vp_status vp_test_normalize_jobs(const vp_test_body *bodies, size_t n, const vp_period *period, FILE *jobs,
                                 vp_snapshot **out, vp_error *err)
{
    vp_worm_catalog *worm = NULL;
    vp_normalizer *norm = NULL;
    vp_collect_options opt = {0};
    vp_status st;
    char sidecar_path[512];

    *out = NULL;
    if ((st = vp_worm_catalog_builtin(&worm, err)))
        return st;
    opt.source_kind = "replay";
    opt.input = "test";
    opt.worm = worm;
    opt.clock.epoch = 1790000000;
    opt.clock.pinned = 1;
    opt.period = period;
    opt.jobs_out = jobs;
    if ((st = vp_normalizer_new(&opt, &norm, err)))
        goto done;
    for (size_t i = 0; i < n; i++) {
        const vp_test_body *b = &bodies[i];
        snprintf(sidecar_path, sizeof sidecar_path, "%s.meta", b->path);
        st = vp_normalizer_add(norm, b->path, b->body, strlen(b->body), b->sidecar ? sidecar_path : NULL, b->sidecar,
                               b->sidecar ? strlen(b->sidecar) : 0, err);
        if (st) {
            vp_normalizer_free(norm);
            goto done;
        }
    }
    st = vp_normalizer_finish(norm, out, err);
done:
    vp_worm_catalog_free(worm);
    return st;
}

char *vp_test_snapshot_json(const vp_snapshot *s)
{
    char *buf = NULL;
    size_t len = 0;
    vp_error err = {0};
    FILE *fp = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(vp_snapshot_write_json(s, fp, "memory", &err), VP_OK);
    fclose(fp);
    return buf;
}

Suite *pack_staging_suite(void); /* tests/unit/test_pack_staging.c */
Suite *tally_suite(void);        /* tests/unit/test_tally.c */
Suite *exceptions_suite(void);   /* tests/unit/test_exceptions.c */
Suite *seal_suite(void);         /* tests/unit/test_seal.c */
Suite *pdf_cmap_suite(void);     /* tests/unit/test_pdf_cmap.c */
Suite *pdf_hold_suite(void);     /* tests/unit/test_pdf_hold.c */
Suite *access_suite(void);       /* tests/unit/test_access.c */
Suite *period_suite(void);       /* tests/unit/test_period.c */
Suite *jobs_suite(void);         /* tests/unit/test_jobs.c */
Suite *sample_suite(void);       /* tests/unit/test_sample.c */
Suite *changes_suite(void);      /* tests/unit/test_changes.c */

int main(void)
{
    SRunner *sr = srunner_create(json_suite());
    srunner_add_suite(sr, time_suite());
    srunner_add_suite(sr, retention_suite());
    srunner_add_suite(sr, worm_suite());
    srunner_add_suite(sr, normalize_suite());
    srunner_add_suite(sr, collect_shapes_suite());
    srunner_add_suite(sr, completeness_suite());
    srunner_add_suite(sr, config_suite());
    srunner_add_suite(sr, output_suite());
    srunner_add_suite(sr, evaluate_suite());
    srunner_add_suite(sr, snapshot_read_suite());
    srunner_add_suite(sr, render_xlsx_suite());
    srunner_add_suite(sr, archive_suite());
    srunner_add_suite(sr, pgzip_suite());
    srunner_add_suite(sr, sign_suite());
    srunner_add_suite(sr, pdfsign_suite());
    srunner_add_suite(sr, ledger_suite());
    srunner_add_suite(sr, live_suite());
    srunner_add_suite(sr, arm_suite());
    srunner_add_suite(sr, core_prims_suite());
    srunner_add_suite(sr, pipeline_suite());
    srunner_add_suite(sr, pack_staging_suite());
    srunner_add_suite(sr, tally_suite());
    srunner_add_suite(sr, exceptions_suite());
    srunner_add_suite(sr, seal_suite());
    srunner_add_suite(sr, pdf_cmap_suite());
    srunner_add_suite(sr, pdf_hold_suite());
    srunner_add_suite(sr, access_suite());
    srunner_add_suite(sr, period_suite());
    srunner_add_suite(sr, jobs_suite());
    srunner_add_suite(sr, sample_suite());
    srunner_add_suite(sr, changes_suite());
    srunner_add_suite(sr, remote_suite());
    srunner_add_suite(sr, keyvault_suite());
    srunner_add_suite(sr, pkcs11_suite());
    srunner_add_suite(sr, blob_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
