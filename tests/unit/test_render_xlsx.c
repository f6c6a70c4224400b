/* The XLSX workbook at library level: a population continued over several sheets at
 * the row limit (with a small limit instead of Excel's 1,048,576), the same bytes twice
 * from one findings reader, over-long and formula-like cell text, and the errors
 * (inconsistent inputs, unwritable output or temporary directory). The workbook's parts
 * are read back with `unzip -p`; tests/integration/test_render_xlsx.py checks the
 * workbook itself with xlsx2csv and openpyxl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render/xlsx_internal.h"
#include "vaultproof/catalog.h"
#include "vaultproof/collect.h"
#include "vaultproof/config.h"
#include "vaultproof/evaluate.h"
#include "vaultproof/fileio.h"
#include "vaultproof/worm.h"
#include "vp_test.h"

#define SHA "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct {
    char dir[256], findings[320], xlsx[320];
    vp_snapshot *snap;
    vp_config *cfg;
    vp_catalog *cat;
    vp_findings *f;
    vp_findings_file *ff;
    vp_render_input in;
} fixture;

/* The Contoso Health sample collected and evaluated as the commands do (pinned clock),
 * its findings written to a scratch directory and opened with the findings reader. */
static void fixture_open(fixture *x)
{
    char sample[1024];
    const char *data = getenv("VP_TEST_DATA"), *tmp = getenv("TMPDIR");
    vp_worm_catalog *worm = NULL;
    vp_error e = {0};
    memset(x, 0, sizeof *x);
    snprintf(sample, sizeof sample, "%s/../../samples/contoso-health/raw", data ? data : "tests/data");
    ck_assert_msg(vp_worm_catalog_builtin(&worm, &e) == VP_OK, "%s", e.message);
    vp_collect_options opt = {.source_kind = "replay", .input = "samples/contoso-health/raw", .worm = worm};
    opt.clock.epoch = 1790748000;
    opt.clock.pinned = 1;
    ck_assert_msg(vp_collect_replay(sample, &opt, &x->snap, &e) == VP_OK, "%s", e.message);
    vp_worm_catalog_free(worm);
    snprintf(sample, sizeof sample, "%s/../../samples/contoso-health/vaultproof.json", data ? data : "tests/data");
    ck_assert_msg(vp_config_load(sample, &x->cfg, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(vp_catalog_builtin(&x->cat, &e), VP_OK);
    vp_snapshot_ref ref = {"snapshot.json", SHA, x->snap};
    vp_evaluate_options eo = {.clock = opt.clock};
    ck_assert_msg(vp_evaluate(&ref, x->cat, x->cfg, &eo, &x->f, &e) == VP_OK, "%s", e.message);
    snprintf(x->dir, sizeof x->dir, "%s/vp-xlsx-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(x->dir));
    snprintf(x->findings, sizeof x->findings, "%s/findings.json", x->dir);
    snprintf(x->xlsx, sizeof x->xlsx, "%s/evidence.xlsx", x->dir);
    FILE *fp = fopen(x->findings, "w");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(vp_findings_write_json(x->f, fp, x->findings, &e), VP_OK);
    ck_assert_int_eq(fclose(fp), 0);
    vp_status st = vp_findings_file_open(x->findings, &x->ff, &e);
    unlink(x->findings); /* the reader has it mapped; nothing is left behind if a check fails */
    ck_assert_msg(st == VP_OK, "%s", e.message);
    x->in = (vp_render_input){.snapshot = x->snap, .snapshot_label = "snapshot.json", .snapshot_sha256 = SHA,
                              .findings = x->ff, .findings_label = x->findings, .clock = opt.clock};
}

/* Removes the scratch files: called before the checks, so a failing check leaves none. */
static void fixture_remove_files(fixture *x)
{
    unlink(x->findings);
    unlink(x->xlsx);
    rmdir(x->dir);
}

static void fixture_close(fixture *x)
{
    fixture_remove_files(x);
    vp_findings_file_close(x->ff);
    vp_findings_free(x->f);
    vp_catalog_free(x->cat);
    vp_config_free(x->cfg);
    vp_snapshot_free(x->snap);
}

static vp_status render_file(fixture *x, unsigned long max_rows, vp_error *e)
{
    FILE *fp = fopen(x->xlsx, "wb");
    if (!fp)
        return vp_error_set(e, VP_ERR_IO, "%s: cannot create", x->xlsx);
    vp_status st = vpr_xlsx_render_limit(&x->in, fp, x->xlsx, max_rows, e);
    if (fclose(fp) != 0 && !st)
        st = vp_error_set(e, VP_ERR_IO, "%s: cannot write", x->xlsx);
    return st;
}

/* One part of the workbook (unzip -p), malloc'd; "" when it cannot be read. */
static char *part(const char *xlsx, const char *name)
{
    char cmd[1024], *buf = NULL;
    size_t len = 0, n;
    char chunk[65536];
    snprintf(cmd, sizeof cmd, "unzip -p '%s' '%s' 2>/dev/null", xlsx, name);
    FILE *p = popen(cmd, "r");
    FILE *out = open_memstream(&buf, &len);
    while (p && (n = fread(chunk, 1, sizeof chunk, p)) > 0)
        fwrite(chunk, 1, n, out);
    if (p)
        pclose(p);
    fclose(out);
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *at = hay; (at = strstr(at, needle)) != NULL; at++)
        n++;
    return n;
}

/* The sheetN.xml of a sheet name (sheets are numbered in workbook order); "" if none. */
static char *sheet_xml(const char *xlsx, const char *workbook, const char *sheet)
{
    char quoted[96], path[64];
    snprintf(quoted, sizeof quoted, "<sheet name=\"%s\"", sheet);
    const char *at = strstr(workbook, quoted);
    size_t n = at ? count(workbook, "<sheet name=") - count(at, "<sheet name=") + 1 : 0;
    snprintf(path, sizeof path, "xl/worksheets/sheet%zu.xml", n);
    return part(xlsx, path);
}

START_TEST(population_continues_at_the_row_limit)
{
    fixture x;
    vp_error e = {0};
    fixture_open(&x);
    /* 100 rows a sheet: 99 data rows; 295 items -> 99 + 99 + 97 */
    vp_status st = render_file(&x, 100, &e);
    char *wb = part(x.xlsx, "xl/workbook.xml");
    char *last = sheet_xml(x.xlsx, wb, "Protected Items (3)"), *second = sheet_xml(x.xlsx, wb, "Protected Items (2)");
    char *notes = part(x.xlsx, "xl/comments*.xml"), *readme = sheet_xml(x.xlsx, wb, "README");
    fixture_remove_files(&x);
    ck_assert_msg(st == VP_OK, "%s", e.message);
    ck_assert_ptr_nonnull(strstr(wb, "<sheet name=\"Protected Items (3)\""));
    ck_assert_ptr_null(strstr(wb, "<sheet name=\"Protected Items (4)\""));
    ck_assert_ptr_nonnull(strstr(wb, "<sheet name=\"Findings (2)\""));
    ck_assert_ptr_nonnull(strstr(wb, "<definedName name=\"Data_Protected_Items_3\">'Protected Items (3)'!$A$1:$AF$98<"));
    /* parts are adjacent, in order */
    const char *p1 = strstr(wb, "\"Protected Items\""), *p2 = strstr(wb, "\"Protected Items (2)\""),
               *p3 = strstr(wb, "\"Protected Items (3)\""), *vm = strstr(wb, "\"Virtual Machines\"");
    ck_assert(p1 && p2 && p3 && vm && p1 < p2 && p2 < p3 && p3 < vm);
    ck_assert_uint_eq(count(last, "<row "), 1 + 97);
    ck_assert_uint_eq(count(second, "<row "), 100);
    ck_assert_ptr_nonnull(strstr(second, "<pane ySplit=\"1\""));
    ck_assert_ptr_nonnull(strstr(second, "<autoFilter ref=\"A1:AF100\"/>"));
    /* each part notes where it belongs; the README lists every part */
    ck_assert_ptr_nonnull(strstr(notes, "its rows 100 to 198. It continues on the sheet \"Protected Items (3)\"."));
    ck_assert_ptr_nonnull(strstr(readme, "Part 3 of 3: rows 199 to 295 of the population."));
    free(last);
    free(second);
    free(notes);
    free(readme);
    free(wb);
    fixture_close(&x);
}
END_TEST

START_TEST(same_bytes_from_one_reader)
{
    fixture x;
    vp_error e = {0};
    char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    fixture_open(&x);
    fixture_remove_files(&x); /* rendered to memory */
    FILE *fa = open_memstream(&a, &alen), *fb = open_memstream(&b, &blen);
    ck_assert_msg(vp_render_xlsx(&x.in, fa, "a", &e) == VP_OK, "%s", e.message);
    ck_assert_msg(vp_render_xlsx(&x.in, fb, "b", &e) == VP_OK, "%s", e.message); /* the renderer rewinds */
    fclose(fa);
    fclose(fb);
    ck_assert_uint_gt(alen, 10000);
    ck_assert_uint_eq(alen, blen);
    ck_assert_int_eq(memcmp(a, b, alen), 0);
    free(a);
    free(b);
    fixture_close(&x);
}
END_TEST

START_TEST(text_is_guarded_and_cut_not_lost)
{
    fixture x;
    vp_error e = {0};
    char *huge = malloc(40001);
    fixture_open(&x);
    ck_assert_ptr_nonnull(huge);
    memset(huge, 'x', 40000);
    huge[40000] = '\0';
    /* the test owns this copy of the model: give two VMs tags no spreadsheet must evaluate */
    ck_assert_uint_gt(x.snap->vms[0].tags.count, 0);
    ck_assert_uint_gt(x.snap->vms[1].tags.count, 0);
    x.snap->vms[0].tags.items[0].value = "=HYPERLINK(\"http://x\",\"y\")";
    x.snap->vms[1].tags.items[0].value = huge;
    vp_status st = render_file(&x, XLSX_MAX_ROWS, &e);
    char *wb = part(x.xlsx, "xl/workbook.xml");
    char *vms = sheet_xml(x.xlsx, wb, "Virtual Machines");
    fixture_remove_files(&x);
    ck_assert_msg(st == VP_OK, "%s", e.message);
    ck_assert_ptr_nonnull(strstr(vms, "<t>'=HYPERLINK(\"http://x\",\"y\")</t>"));
    ck_assert_ptr_null(strstr(vms, "<f>"));
    ck_assert_ptr_nonnull(strstr(vms, "xxxx [cut here: longer than an Excel cell holds"));
    free(vms);
    free(wb);
    free(huge);
    fixture_close(&x);
}
END_TEST

START_TEST(findings_of_another_snapshot_are_refused)
{
    fixture x;
    vp_error e = {0};
    fixture_open(&x);
    x.in.snapshot_sha256 = "1111111111111111111111111111111111111111111111111111111111111111";
    vp_status st = render_file(&x, XLSX_MAX_ROWS, &e);
    fixture_remove_files(&x);
    ck_assert_int_eq(st, VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "SHA-256"));
    ck_assert_ptr_nonnull(strstr(e.message, "snapshot.json"));
    fixture_close(&x);
}
END_TEST

START_TEST(write_failure_is_an_io_error)
{
    fixture x;
    vp_error e = {0};
    fixture_open(&x);
    fixture_remove_files(&x); /* nothing is written to the scratch directory here */
    FILE *full = fopen("/dev/full", "w");
    ck_assert_ptr_nonnull(full);
    ck_assert_int_eq(vp_render_xlsx(&x.in, full, "/dev/full", &e), VP_ERR_IO);
    ck_assert_ptr_nonnull(strstr(e.message, "/dev/full"));
    fclose(full);
    setenv("TMPDIR", "/nonexistent-vp-dir", 1); /* this test runs in its own process */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    ck_assert_int_eq(vp_render_xlsx(&x.in, mem, "memory", &e), VP_ERR_IO);
    ck_assert_ptr_nonnull(strstr(e.message, "/nonexistent-vp-dir"));
    fclose(mem);
    ck_assert_uint_eq(len, 0);
    free(buf);
    fixture_close(&x);
}
END_TEST

START_TEST(bad_row_limit_is_a_bug)
{
    fixture x;
    vp_error e = {0};
    fixture_open(&x);
    vp_status small = render_file(&x, 1, &e), big = render_file(&x, XLSX_MAX_ROWS + 1, &e);
    fixture_remove_files(&x);
    ck_assert_int_eq(small, VP_ERR_INTERNAL);
    ck_assert_int_eq(big, VP_ERR_INTERNAL);
    fixture_close(&x);
}
END_TEST

Suite *render_xlsx_suite(void)
{
    Suite *s = suite_create("render_xlsx");
    TCase *tc = tcase_create("workbook");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, population_continues_at_the_row_limit);
    tcase_add_test(tc, same_bytes_from_one_reader);
    tcase_add_test(tc, text_is_guarded_and_cut_not_lost);
    tcase_add_test(tc, findings_of_another_snapshot_are_refused);
    tcase_add_test(tc, write_failure_is_an_io_error);
    tcase_add_test(tc, bad_row_limit_is_a_bug);
    suite_add_tcase(s, tc);
    return s;
}
