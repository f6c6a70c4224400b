/* The library's pipeline (vaultproof/pipeline.h): the checks a library caller gets
 * without going through the command line - the period format on both the render and
 * the pack path, findings refused with a snapshot they were not made from, the options
 * of a collection - and the stages run end to end on the Contoso Health sample. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaultproof/fileio.h"
#include "vaultproof/findings_read.h"
#include "vaultproof/pack.h"
#include "vaultproof/pipeline.h"
#include "vp_test.h"

/* The sample, collected (replay), written, evaluated and written again into a scratch
 * directory through the pipeline, as the commands do. */
typedef struct {
    char dir[256], snapshot[320], other[320], findings[320], oscal[320], xlsx[320];
    char sample[1024], config_path[1024];
    char snap_sha[65], findings_sha[65];
    vp_config *cfg;
    vp_catalog *cat;
    vp_worm_catalog *worm;
    vp_snapshot *snap;
} fixture;

static vp_clock pinned(long long epoch)
{
    return (vp_clock){.epoch = epoch, .pinned = 1, .from = "--now"};
}

static vp_status collect_sample(fixture *x, long long epoch, vp_snapshot **out, vp_error *e)
{
    vp_pipeline_collect_options co = {.config = x->cfg, .worm = x->worm, .clock = pinned(epoch)};
    co.replay_dir = x->sample;
    return vp_pipeline_collect(&co, out, NULL, e);
}

static void fixture_open(fixture *x)
{
    const char *data = getenv("VP_TEST_DATA"), *tmp = getenv("TMPDIR");
    vp_error e = {0};
    memset(x, 0, sizeof *x);
    snprintf(x->sample, sizeof x->sample, "%s/../../samples/contoso-health/raw", data ? data : "tests/data");
    snprintf(x->config_path, sizeof x->config_path, "%s/../../samples/contoso-health/vaultproof.json",
             data ? data : "tests/data");
    ck_assert_msg(vp_config_load(x->config_path, &x->cfg, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(vp_catalog_builtin(&x->cat, &e), VP_OK);
    ck_assert_msg(vp_pipeline_worm_catalog(NULL, x->cfg, &x->worm, &e) == VP_OK, "%s", e.message);
    snprintf(x->dir, sizeof x->dir, "%s/vp-pipeline-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(x->dir));
    snprintf(x->snapshot, sizeof x->snapshot, "%s/snapshot.json", x->dir);
    snprintf(x->other, sizeof x->other, "%s/other.json", x->dir);
    snprintf(x->findings, sizeof x->findings, "%s/findings.json", x->dir);
    snprintf(x->oscal, sizeof x->oscal, "%s/oscal.json", x->dir);
    snprintf(x->xlsx, sizeof x->xlsx, "%s/workbook.xlsx", x->dir);
    ck_assert_msg(collect_sample(x, 1790748000, &x->snap, &e) == VP_OK, "%s", e.message);
    ck_assert_msg(vp_pipeline_write_snapshot(x->snap, x->snapshot, NULL, VP_PIPELINE_PUBLISH, x->snap_sha, &e) == VP_OK,
                  "%s", e.message);

    vp_findings *f = NULL;
    vp_pipeline_evaluate_options eo = {.config = x->cfg, .config_label = "vaultproof.json", .catalog = x->cat,
                                       .clock = pinned(1790748000), .findings_path = x->findings};
    eo.snapshot = (vp_snapshot_ref){x->snapshot, x->snap_sha, x->snap};
    ck_assert_msg(vp_pipeline_evaluate(&eo, &f, x->findings_sha, &e) == VP_OK, "%s", e.message);
    vp_findings_free(f);
}

static void fixture_close(fixture *x)
{
    const char *files[] = {x->snapshot, x->other, x->findings, x->oscal, x->xlsx};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(files[i]);
    rmdir(x->dir);
    vp_snapshot_free(x->snap);
    vp_worm_catalog_free(x->worm);
    vp_catalog_free(x->cat);
    vp_config_free(x->cfg);
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

START_TEST(period_one_form)
{
    vp_error e = {0};
    const char *good[] = {"2026-Q1", "2026-Q4", "1999-Q3"};
    /* "2a26-Q3" and "2/.6-Q3" passed vp_pack's old check (first and last year digit only) */
    const char *bad[] = {"26-Q3", "2a26-Q3", "2/.6-Q3", "2026-Q5", "2026-Q0", "2026-q3", "2026Q3", "20261-Q3",
                         "2026-Q3 ", ""};
    ck_assert_int_eq(vp_pipeline_check_period(NULL, "render", &e), VP_OK);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(vp_pipeline_check_period(good[i], "render", &e) == VP_OK, "%s refused", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[128];
        memset(&e, 0, sizeof e);
        ck_assert_msg(vp_pipeline_check_period(bad[i], "pack", &e) == VP_ERR_USAGE, "'%s' accepted", bad[i]);
        snprintf(want, sizeof want, "pack: --period '%s': expected YYYY-Qn, e.g. 2026-Q3", bad[i]);
        ck_assert_str_eq(e.message, want);
    }
}
END_TEST

START_TEST(render_refuses_short_year)
{
    /* refused before anything is read or written: the paths need not exist */
    vp_error e = {0};
    vp_pipeline_render_options ro = {.snapshot_path = "/nonexistent/snapshot.json",
                                      .findings_path = "/nonexistent/findings.json",
                                      .xlsx_path = "/nonexistent/w.xlsx", .period = "26-Q3"};
    ck_assert_int_eq(vp_pipeline_render(&ro, &e), VP_ERR_USAGE);
    ck_assert_str_eq(e.message, "render: --period '26-Q3': expected YYYY-Qn, e.g. 2026-Q3");
    ro.period = "2x26-Q3";
    ck_assert_int_eq(vp_pipeline_render(&ro, &e), VP_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(e.message, "--period '2x26-Q3'"));
}
END_TEST

START_TEST(pack_refuses_short_year)
{
    const char *tmp = getenv("TMPDIR");
    char archive[512];
    const char *periods[] = {"26-Q3", "2x26-Q3", "2/.6-Q3"};
    snprintf(archive, sizeof archive, "%s/vp-pipeline-pack-%ld", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++) {
        vp_error e = {0};
        vp_pack_result res;
        vp_pack_options po = {.config_path = "/nonexistent/vaultproof.json", .replay_dir = "/nonexistent/raw",
                              .period = periods[i], .archive_dir = archive, .clock = pinned(1790748000)};
        ck_assert_msg(vp_pack(&po, &res, &e) == VP_ERR_USAGE, "%s accepted by vp_pack", periods[i]);
        ck_assert_ptr_nonnull(strstr(e.message, "pack: --period"));
        ck_assert_msg(!exists(archive), "vp_pack wrote %s before refusing the period", archive);
    }
}
END_TEST

START_TEST(render_refuses_findings_of_another_snapshot)
{
    fixture x;
    vp_error e = {0};
    vp_snapshot *other = NULL;
    char other_sha[65];
    fixture_open(&x);
    /* the same estate collected at another time: other bytes, another SHA-256 */
    ck_assert_msg(collect_sample(&x, 1790748000 + 3600, &other, &e) == VP_OK, "%s", e.message);
    ck_assert_msg(vp_pipeline_write_snapshot(other, x.other, NULL, VP_PIPELINE_PUBLISH, other_sha, &e) == VP_OK, "%s",
                  e.message);
    ck_assert_str_ne(other_sha, x.snap_sha);

    vp_pipeline_render_options ro = {.snapshot_path = x.other, .findings_path = x.findings, .xlsx_path = x.xlsx,
                                      .clock = pinned(1790748000)};
    vp_status st = vp_pipeline_render(&ro, &e);
    int wrote = exists(x.xlsx);
    /* and in memory, with its hash given */
    ro.snapshot = other;
    ro.snapshot_sha256 = other_sha;
    vp_error e2 = {0};
    vp_status st2 = vp_pipeline_render(&ro, &e2);
    int wrote2 = exists(x.xlsx);
    vp_snapshot_free(other);
    fixture_close(&x);
    ck_assert_int_eq(st, VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "/snapshot/sha256: the findings were made from a snapshot"));
    ck_assert_ptr_nonnull(strstr(e.message, "evaluate this snapshot first"));
    ck_assert_int_eq(wrote, 0);
    ck_assert_int_eq(st2, VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e2.message, "/snapshot/sha256"));
    ck_assert_int_eq(wrote2, 0);
}
END_TEST

START_TEST(render_own_snapshot)
{
    fixture x;
    vp_error e = {0};
    fixture_open(&x);
    vp_pipeline_render_options ro = {.snapshot_path = x.snapshot, .findings_path = x.findings, .xlsx_path = x.xlsx,
                                     .clock = pinned(1790748000), .period = "2026-Q3"};
    vp_status st = vp_pipeline_render(&ro, &e);
    int wrote = exists(x.xlsx);
    /* a staged output is created exclusively: never over an existing file */
    ro.mode = VP_PIPELINE_STAGED;
    vp_error e2 = {0};
    vp_status st2 = vp_pipeline_render(&ro, &e2);
    fixture_close(&x);
    ck_assert_msg(st == VP_OK, "%s", e.message);
    ck_assert_int_eq(wrote, 1);
    ck_assert_int_eq(st2, VP_ERR_IO);
    ck_assert_ptr_nonnull(strstr(e2.message, "cannot create"));
}
END_TEST

START_TEST(render_options)
{
    vp_error e = {0};
    vp_pipeline_render_options ro = {.snapshot_path = "s.json", .findings_path = "f.json"};
    ck_assert_int_eq(vp_pipeline_render(&ro, &e), VP_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(e.message, "nothing to write"));
    ro.pdf_path = ro.xlsx_path = "same";
    ck_assert_int_eq(vp_pipeline_render(&ro, &e), VP_ERR_USAGE);
    ck_assert_str_eq(e.message, "render: --pdf and --xlsx name the same file");
    ro.xlsx_path = "w.xlsx";
    ro.snapshot = (const vp_snapshot *)&ro; /* given in memory without its hash */
    ck_assert_int_eq(vp_pipeline_render(&ro, &e), VP_ERR_USAGE);
    ro.snapshot = NULL;
    ro.timeline = (const vp_timeline *)&ro; /* a timeline must come with the stream it was built from */
    ck_assert_int_eq(vp_pipeline_render(&ro, &e), VP_ERR_USAGE);
    ck_assert_str_eq(e.message, "render: a jobs timeline was given without its jobs stream");
}
END_TEST

START_TEST(evaluate_outputs)
{
    fixture x;
    vp_error e = {0}, e2 = {0};
    vp_findings *f = NULL, *f2 = NULL;
    char sha[65], file_sha[65];
    fixture_open(&x);
    vp_pipeline_evaluate_options eo = {.config = x.cfg, .catalog = x.cat, .clock = pinned(1790748000),
                                       .findings_path = x.findings, .oscal_path = x.findings};
    eo.snapshot = (vp_snapshot_ref){x.snapshot, x.snap_sha, x.snap};
    vp_status same = vp_pipeline_evaluate(&eo, &f2, NULL, &e2);
    unlink(x.findings);
    eo.oscal_path = x.oscal;
    vp_status st = vp_pipeline_evaluate(&eo, &f, sha, &e);
    vp_status hashed = st ? st : vp_sha256_file(x.findings, file_sha, &e);
    int oscal = exists(x.oscal);
    vp_findings_free(f);
    fixture_close(&x);
    ck_assert_int_eq(same, VP_ERR_USAGE);
    ck_assert_str_eq(e2.message, "evaluate: --oscal and --out name the same file");
    ck_assert_ptr_null(f2);
    ck_assert_msg(st == VP_OK && hashed == VP_OK, "%s", e.message);
    ck_assert_str_eq(sha, file_sha);
    ck_assert_int_eq(oscal, 1);
}
END_TEST

/* pack writes the OSCAL document on a second thread while it writes findings.json: the
 * document asks for the findings hash once, when it reaches its back-matter, and comes
 * out the same as one written after findings.json; a hash that does not come stops it
 * and publishes nothing. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state; /* 0 waiting, 1 given, -1 refused */
    const char *sha;
    int asked;
    const vp_findings *f;
    const char *path;
    vp_status st;
    vp_error err;
} hash_wait;

static vp_status wait_hash(void *ctx, const char **sha256, vp_error *err)
{
    hash_wait *h = ctx;
    pthread_mutex_lock(&h->mu);
    h->asked++;
    while (!h->state)
        pthread_cond_wait(&h->cv, &h->mu);
    int given = h->state > 0;
    pthread_mutex_unlock(&h->mu);
    *sha256 = h->sha;
    return given ? VP_OK : vp_error_set(err, VP_ERR_INTERNAL, "no findings hash");
}

static void *oscal_thread(void *arg)
{
    hash_wait *h = arg;
    h->st = vp_pipeline_write_oscal_awaiting_at(h->f, wait_hash, h, AT_FDCWD, h->path, "oscal", VP_PIPELINE_PUBLISH,
                                                NULL, &h->err);
    return NULL;
}

static void give_hash(hash_wait *h, int state, const char *sha)
{
    pthread_mutex_lock(&h->mu);
    h->sha = sha;
    h->state = state;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

START_TEST(oscal_awaits_the_findings_hash)
{
    fixture x;
    vp_error e = {0};
    vp_findings *f = NULL;
    vp_vault_counts counts = {0};
    char sha[65], before[65], after[65];
    pthread_t tid;
    hash_wait h = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, NULL, 0, NULL, NULL, VP_OK, {0}};
    fixture_open(&x);
    vp_pipeline_evaluate_options eo = {.config = x.cfg, .catalog = x.cat, .clock = pinned(1790748000)};
    eo.snapshot = (vp_snapshot_ref){x.snapshot, x.snap_sha, x.snap};
    ck_assert_msg(vp_pipeline_evaluate(&eo, &f, NULL, &e) == VP_OK, "%s", e.message);
    /* the reference: the document written after findings.json, citing its hash */
    ck_assert_msg(vp_pipeline_write_oscal_at(f, x.findings_sha, AT_FDCWD, x.oscal, "oscal", VP_PIPELINE_PUBLISH, before,
                                             &e) == VP_OK,
                  "%s", e.message);
    unlink(x.oscal);
    unlink(x.findings);
    h.f = f;
    h.path = x.oscal;
    ck_assert_int_eq(pthread_create(&tid, NULL, oscal_thread, &h), 0);
    vp_status st = vp_pipeline_write_findings_at(f, AT_FDCWD, x.findings, "findings", VP_PIPELINE_PUBLISH, &counts,
                                                 sha, &e);
    give_hash(&h, st ? -1 : 1, sha);
    pthread_join(tid, NULL);
    ck_assert_msg(st == VP_OK, "%s", e.message);
    ck_assert_msg(h.st == VP_OK, "%s", h.err.message);
    ck_assert_str_eq(sha, x.findings_sha); /* the same findings.json as the fixture's */
    ck_assert_int_eq(h.asked, 1);
    ck_assert_int_eq(vp_sha256_file(x.oscal, after, &e), VP_OK);
    ck_assert_str_eq(after, before);
    size_t total = 0;
    for (size_t v = 0; v <= counts.vault_count; v++)
        for (int k = 0; k < VP_STATUS_COUNT; k++)
            total += counts.by_vault[v][k];
    ck_assert_uint_eq(counts.vault_count, x.snap->vault_count);
    ck_assert_uint_eq(total, vp_findings_total(f));

    /* findings.json failed: the document gives up and nothing is published */
    unlink(x.oscal);
    h.state = 0;
    h.asked = 0;
    ck_assert_int_eq(pthread_create(&tid, NULL, oscal_thread, &h), 0);
    give_hash(&h, -1, NULL);
    pthread_join(tid, NULL);
    ck_assert_int_eq(h.st, VP_ERR_INTERNAL);
    ck_assert_str_eq(h.err.message, "no findings hash");
    ck_assert_int_eq(h.asked, 1);
    ck_assert_int_eq(exists(x.oscal), 0);
    vp_vault_counts_free(&counts);
    vp_findings_free(f);
    fixture_close(&x);
}
END_TEST

START_TEST(collect_options)
{
    vp_error e = {0};
    vp_snapshot *snap = NULL;
    vp_worm_catalog *worm = NULL;
    vp_pipeline_collect_options co = {0};
    ck_assert_int_eq(vp_pipeline_collect(&co, &snap, NULL, &e), VP_ERR_USAGE); /* no WORM catalog */
    ck_assert_int_eq(vp_pipeline_worm_catalog(NULL, NULL, &worm, &e), VP_OK);
    co.worm = worm;
    ck_assert_int_eq(vp_pipeline_collect(&co, &snap, NULL, &e), VP_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(e.message, "neither"));
    co.replay_dir = "a";
    co.record_dir = "b";
    ck_assert_int_eq(vp_pipeline_collect(&co, &snap, NULL, &e), VP_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(e.message, "both"));
    ck_assert_ptr_null(snap);
    vp_worm_catalog_free(worm);
    ck_assert_int_eq(vp_pipeline_worm_catalog("/nonexistent/worm.json", NULL, &worm, &e), VP_ERR_INPUT);
}
END_TEST

START_TEST(record_dir)
{
    const char *tmp = getenv("TMPDIR");
    char base[256], record[320], file[400], dir[4096];
    int is_temp = -1;
    vp_error e = {0};
    snprintf(base, sizeof base, "%s/vp-record-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(base));
    snprintf(record, sizeof record, "%s/rec", base);
    snprintf(file, sizeof file, "%s/rec/x.json", base);
    vp_status made = vp_pipeline_record_dir(record, dir, sizeof dir, &is_temp, &e); /* new: made */
    int made_temp = is_temp;
    FILE *fp = fopen(file, "w");
    if (fp)
        fclose(fp);
    vp_status reused = vp_pipeline_record_dir(record, dir, sizeof dir, &is_temp, &e); /* holds a file */
    vp_status temp = vp_pipeline_record_dir(NULL, dir, sizeof dir, &is_temp, &e);
    int temp_made = temp == VP_OK && is_temp == 1 && exists(dir);
    if (temp == VP_OK)
        vp_remove_tree(dir, NULL);
    vp_remove_tree(base, NULL);
    ck_assert_int_eq(made, VP_OK);
    ck_assert_int_eq(made_temp, 0);
    ck_assert_int_eq(reused, VP_ERR_USAGE);
    ck_assert_int_eq(temp_made, 1);
}
END_TEST

START_TEST(baselines)
{
    fixture x;
    vp_error e = {0};
    vp_pipeline_baselines *b = NULL, *bad = (vp_pipeline_baselines *)&x;
    size_t n = 99;
    fixture_open(&x);
    const char *paths[] = {x.snapshot, "/nonexistent/snapshot.json"};
    const char *labels[] = {"snapshots/2026-Q3/a.json", "b"};
    vp_status st = vp_pipeline_baselines_load(paths, labels, 1, &b, &e);
    const vp_snapshot_ref *refs = vp_pipeline_baselines_refs(b, &n);
    int label_ok = n == 1 && !strcmp(refs[0].label, labels[0]) && !strcmp(refs[0].sha256, x.snap_sha);
    vp_status missing = vp_pipeline_baselines_load(paths, NULL, 2, &bad, &e);
    vp_pipeline_baselines_free(b);
    fixture_close(&x);
    ck_assert_int_eq(st, VP_OK);
    ck_assert_int_eq(label_ok, 1);
    ck_assert_int_eq(missing, VP_ERR_INPUT);
    ck_assert_ptr_null(bad);
    ck_assert_ptr_null(vp_pipeline_baselines_refs(NULL, &n));
    ck_assert_uint_eq(n, 0);
}
END_TEST

Suite *pipeline_suite(void)
{
    Suite *s = suite_create("pipeline");
    TCase *checks = tcase_create("checks");
    tcase_add_test(checks, period_one_form);
    tcase_add_test(checks, render_refuses_short_year);
    tcase_add_test(checks, pack_refuses_short_year);
    tcase_add_test(checks, render_options);
    tcase_add_test(checks, collect_options);
    tcase_add_test(checks, record_dir);
    suite_add_tcase(s, checks);
    TCase *stages = tcase_create("stages");
    tcase_set_timeout(stages, 120);
    tcase_add_test(stages, render_refuses_findings_of_another_snapshot);
    tcase_add_test(stages, render_own_snapshot);
    tcase_add_test(stages, evaluate_outputs);
    tcase_add_test(stages, oscal_awaits_the_findings_hash);
    tcase_add_test(stages, baselines);
    suite_add_tcase(s, stages);
    return s;
}
