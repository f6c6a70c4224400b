/* Shared declarations for the Check unit suites. */
#ifndef VP_TEST_H
#define VP_TEST_H

#include <check.h>

#include "vaultproof/collect.h"
#include "vaultproof/snapshot.h"

Suite *json_suite(void);
Suite *time_suite(void);
Suite *retention_suite(void);
Suite *worm_suite(void);
Suite *blob_suite(void);  /* tests/unit/test_blob.c */
Suite *normalize_suite(void);
Suite *collect_shapes_suite(void);
Suite *completeness_suite(void);
Suite *config_suite(void);
Suite *output_suite(void);
Suite *evaluate_suite(void);
Suite *snapshot_read_suite(void);
Suite *render_xlsx_suite(void);
Suite *archive_suite(void);
Suite *pgzip_suite(void);
Suite *sign_suite(void);
Suite *pdfsign_suite(void);
Suite *ledger_suite(void);
Suite *live_suite(void);
Suite *arm_suite(void);
Suite *core_prims_suite(void);
Suite *pipeline_suite(void);
Suite *remote_suite(void);
Suite *keyvault_suite(void);
Suite *pkcs11_suite(void);        /* tests/unit/test_pkcs11.c */

/* A body to feed the normalizer: path, JSON text, optional sidecar JSON text. */
typedef struct {
    const char *path, *body, *sidecar;
} vp_test_body;

/* Normalizes the bodies with the built-in catalog and a pinned clock. Returns the
 * status; *out is the snapshot (NULL on failure); err receives the message. */
vp_status vp_test_normalize(const vp_test_body *bodies, size_t n, vp_snapshot **out, vp_error *err);
/* As vp_test_normalize, over an evidence period (NULL: none). */
vp_status vp_test_normalize_period(const vp_test_body *bodies, size_t n, const vp_period *period, vp_snapshot **out,
                                   vp_error *err);
/* As vp_test_normalize_period, streaming the jobs to jobs (NULL: not written). */
vp_status vp_test_normalize_jobs(const vp_test_body *bodies, size_t n, const vp_period *period, FILE *jobs,
                                 vp_snapshot **out, vp_error *err);

/* Runs a shell command built like printf (cut commands fail the test); returns its exit status. */
int vp_test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The contents of tests/data/<dir>/<name> (VP_TEST_DATA is tests/data), malloc'd and
 * NUL-terminated; the test fails when it cannot be read. */
char *vp_test_data(const char *dir, const char *name);

/* Snapshot written to a malloc'd string. */
char *vp_test_snapshot_json(const vp_snapshot *s);

#endif
