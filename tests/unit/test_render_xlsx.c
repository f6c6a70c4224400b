/* The XLSX workbook at library level: a population continued over several sheets at
 * the row limit (with a small limit instead of Excel's 1,048,576), the same bytes twice
 * from one findings reader, over-long and formula-like cell text, and the errors
 * (inconsistent inputs, unwritable output or temporary directory). The workbook's parts
 * are read back with `unzip -p`; tests/integration/test_render_xlsx.py checks the
 * workbook itself with xlsx2csv and openpyxl. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "render/estate.h"
#include "render/xlsx_internal.h"
#include "vaultproof/render.h"
#include "vaultproof/tally.h"
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

/* What a shell command prints, malloc'd ("" when it prints nothing); *status (optional)
 * gets pclose's. */
static char *command_output(const char *cmd, int *status)
{
    char *buf = NULL, chunk[65536];
    size_t len = 0, n;
    FILE *p = popen(cmd, "r");
    FILE *out = open_memstream(&buf, &len);
    while (p && (n = fread(chunk, 1, sizeof chunk, p)) > 0)
        fwrite(chunk, 1, n, out);
    int rc = p ? pclose(p) : -1;
    if (status)
        *status = rc;
    fclose(out);
    return buf;
}

/* One part of the workbook (unzip -p), malloc'd; "" when it cannot be read. */
static char *part(const char *xlsx, const char *name)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "unzip -p '%s' '%s' 2>/dev/null", xlsx, name);
    return command_output(cmd, NULL);
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
    /* the findings, written on a second thread, keep their parts in place too */
    const char *f1 = strstr(wb, "\"Findings\""), *f2 = strstr(wb, "\"Findings (2)\""), *va = strstr(wb, "\"Vaults\"");
    ck_assert(f1 && f2 && va && f1 < f2 && f2 < va);
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

/* The workbook shows citations once per rule (Rules sheet): a finding that cites other
 * citations than its rule in /rules would be shown with citations it does not carry, so
 * the findings file is refused. Here the last finding citing anything cites one more. */
START_TEST(finding_citing_otherwise_than_its_rule_is_refused)
{
    fixture x;
    vp_error e = {0};
    char path[1100];
    fixture_open(&x);
    snprintf(path, sizeof path, "%s/edited.json", x.dir);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    ck_assert_int_eq(vp_findings_write_json(x.f, mem, "memory", &e), VP_OK);
    ck_assert_int_eq(fclose(mem), 0);
    const char *key = "\"citations\":[\"";
    char *last = NULL;
    for (char *at = text; (at = strstr(at, key)) != NULL; at++)
        last = at;
    ck_assert_ptr_nonnull(last);
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    size_t head = (size_t)(last - text) + strlen(key);
    fwrite(text, 1, head, fp);
    fputs("made-up 1.2.3\",\"", fp);
    fputs(text + head, fp);
    ck_assert_int_eq(fclose(fp), 0);
    free(text);
    vp_findings_file *edited = NULL;
    vp_status st = vp_findings_file_open(path, &edited, &e);
    unlink(path);
    ck_assert_msg(st == VP_OK, "%s", e.message);
    x.in.findings = edited;
    x.in.findings_label = "edited.json";
    st = render_file(&x, XLSX_MAX_ROWS, &e);
    x.in.findings = x.ff;
    vp_findings_file_close(edited);
    fixture_remove_files(&x);
    ck_assert_int_eq(st, VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "edited.json"));
    ck_assert_ptr_nonnull(strstr(e.message, "Rules sheet"));
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

/* The report is saved straight to its stream (pdf.c, write_out): a failed write is an
 * I/O error naming the output and the system's reason, not libharu's code. */
START_TEST(pdf_write_failure_is_an_io_error)
{
    fixture x;
    vp_error e = {0};
    fixture_open(&x);
    fixture_remove_files(&x);
    FILE *full = fopen("/dev/full", "w");
    ck_assert_ptr_nonnull(full);
    ck_assert_int_eq(vp_render_pdf(&x.in, full, "/dev/full", &e), VP_ERR_IO);
    ck_assert_msg(strstr(e.message, "cannot write /dev/full: ") && strstr(e.message, strerror(ENOSPC)), "%s",
                  e.message);
    fclose(full);
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

/* ---- what snapshot format 2 adds, in both renderers (issue 13) ---- */

/* The text pdftotext reads from a PDF in drawing order (-raw: a table cell's lines stay
 * together, a time's date and clock too), without whitespace and hyphens (a table cell
 * may wrap anywhere; pdftotext drops a hyphen that ends a line), malloc'd. */
static char *pdf_text(const char *pdf)
{
    char cmd[1024], *buf = NULL;
    size_t len = 0;
    int ch;
    snprintf(cmd, sizeof cmd, "pdftotext -raw -enc UTF-8 '%s' - 2>/dev/null", pdf);
    FILE *p = popen(cmd, "r");
    FILE *out = open_memstream(&buf, &len);
    while (p && (ch = fgetc(p)) != EOF)
        if (ch != ' ' && ch != '\n' && ch != '\t' && ch != '\f' && ch != '-')
            fputc(ch, out);
    if (p)
        pclose(p);
    fclose(out);
    return buf;
}

static vp_status render_pdf_file(fixture *x, const char *path, vp_error *e)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return vp_error_set(e, VP_ERR_IO, "%s: cannot create", path);
    vp_status st = vp_render_pdf(&x->in, fp, path, e);
    if (fclose(fp) != 0 && !st)
        st = vp_error_set(e, VP_ERR_IO, "%s: cannot write", path);
    return st;
}

/* The <row> of a sheet's XML that holds text, malloc'd; "" when none. */
static char *row_with(const char *xml, const char *text)
{
    const char *at = strstr(xml, text), *start = at, *end = at ? strstr(at, "</row>") : NULL;
    while (start && start > xml && strncmp(start, "<row ", 5))
        start--;
    return at && end ? strndup(start, (size_t)(end - start)) : strdup("");
}

static int modern_backup(const vp_item *it)
{
    return it->last_backup_time.presence == VP_PRESENT && strcmp(it->last_backup_time.value, "2020") > 0;
}

/* Occurrences of needle in the file at path. */
static int count_in_file(const char *path, const char *needle)
{
    size_t len = 0, k = strlen(needle);
    char *data = NULL;
    int n = 0;
    vp_error e = {0};
    ck_assert_msg(vp_read_file(path, &data, &len, &e) == VP_OK, "%s", e.message);
    for (size_t i = 0; i + k <= len; i++) /* binary: compressed streams hold NULs */
        n += !memcmp(data + i, needle, k);
    free(data);
    return n;
}

/* A report whose lists pass the threshold gets a two-level page tree (libharu caps one
 * node at 32,767 pages: the exceptions of a million items failed to render); below it
 * the one-node tree, as every report had. Both are valid PDF with the same text. */
START_TEST(long_lists_get_a_two_level_page_tree)
{
    fixture x;
    vp_error e = {0};
    char flat[400], deep[400], cmd[1000];
    fixture_open(&x);
    snprintf(flat, sizeof flat, "%s/flat.pdf", x.dir);
    snprintf(deep, sizeof deep, "%s/deep.pdf", x.dir);
    ck_assert_msg(render_pdf_file(&x, flat, &e) == VP_OK, "%s", e.message);
    x.in.deep_page_tree_rows = 1;
    ck_assert_msg(render_pdf_file(&x, deep, &e) == VP_OK, "%s", e.message);
    int flat_nodes = count_in_file(flat, "/Type /Pages"), deep_nodes = count_in_file(deep, "/Type /Pages");
    char *flat_text = pdf_text(flat), *deep_text = pdf_text(deep);
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null 2>&1 && qpdf --check '%s' >/dev/null 2>&1", flat, deep);
    int qpdf = system(cmd);
    unlink(flat);
    unlink(deep);
    fixture_close(&x);
    ck_assert_int_eq(flat_nodes, 1);
    ck_assert_int_eq(deep_nodes, 2); /* the root and one node of up to 4,096 pages */
    ck_assert_int_eq(qpdf, 0);
    ck_assert_msg(strlen(flat_text) > 1000, "pdftotext read the report");
    ck_assert_str_eq(flat_text, deep_text);
    free(flat_text);
    free(deep_text);
}
END_TEST

#define GUARD_ID "/subscriptions/6c3f01ad-7ded-49a0-ab3b-1a895ad0d714/resourceGroups/rg-sec-resourceguards/providers/Microsoft.DataProtection/resourceGuards/rguard-contoso-backup"

START_TEST(format2_estate_in_both_renderers)
{
    fixture x;
    vp_error e = {0};
    char pdf[400], before_pdf[400];
    fixture_open(&x);
    vp_snapshot *s = x.snap;
    snprintf(pdf, sizeof pdf, "%s/report.pdf", x.dir);
    snprintf(before_pdf, sizeof before_pdf, "%s/before.pdf", x.dir);
    ck_assert_msg(render_pdf_file(&x, before_pdf, &e) == VP_OK, "%s", e.message);
    char *before = pdf_text(before_pdf);
    unlink(before_pdf);

    /* items: A resolves its policy but carries no policyName (and the policy is renamed,
     * so only the resolved name can show it); B names a policy that is not there; C has
     * no last backup time (not reported: not "never"); D has the API's "never" placeholder */
    vp_item *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    for (size_t i = 0; i < s->item_count; i++) {
        vp_item *it = &s->items[i];
        int resolved = it->policy_link && !strcmp(it->policy_link, "resolved") && modern_backup(it);
        if (!a && resolved)
            a = it;
        else if (a && !b && resolved && strcasecmp(it->policy_id.value, a->policy_id.value))
            b = it;
        else if (a && b && !c && modern_backup(it))
            c = it;
        else if (c && !d && modern_backup(it))
            d = it;
    }
    ck_assert(a && b && c && d);
    vp_policy *pa = (vp_policy *)vp_snapshot_find_policy(s, a->policy_id.value);
    ck_assert_ptr_nonnull(pa);
    pa->name = "polRenamedX";
    a->policy_name = (vp_text){NULL, VP_ABSENT, 0, 0};
    b->policy_link = "missing";
    b->policy_id.value = "/subscriptions/74dd82d1-2c42-4ca6-80c5-ffbd52be5231/resourceGroups/rg/providers/"
                         "Microsoft.RecoveryServices/vaults/v/backupPolicies/pol-gone-away";
    b->policy_name = (vp_text){NULL, VP_ABSENT, 0, 0};
    c->last_backup_time = (vp_text){NULL, VP_ABSENT, 0, 0};
    d->last_backup_time.value = "2001-01-01T00:00:00Z";
    size_t on_pa = 0;
    for (size_t i = 0; i < s->item_count; i++)
        on_pa += s->items[i].policy_link && !strcmp(s->items[i].policy_link, "resolved") &&
                 vp_snapshot_find_policy(s, s->items[i].policy_id.value) == pa;

    /* regions: one with a display name, one still without */
    vp_region *eus2 = (vp_region *)vp_snapshot_find_region(s, "eastus2"), *wus3 = (vp_region *)vp_snapshot_find_region(s, "westus3");
    ck_assert(eus2 && wus3);
    eus2->display_name = "East US 2";
    wus3->display_name = NULL;

    /* a vault with a TimeBased configuration, source scan, an engine; one whose API
     * returned securitySettings without immutabilitySettings */
    vp_vault *v = (vp_vault *)vp_snapshot_find_vault(s, "/subscriptions/74dd82d1-2c42-4ca6-80c5-ffbd52be5231/resourceGroups/rg-backup-prd-eus2/providers/Microsoft.RecoveryServices/vaults/rsv-epic-standard-eus2");
    ck_assert_ptr_nonnull(v);
    v->api_version = "2026-08-01";
    v->security_settings = VP_PRESENT;
    v->immutability_settings = VP_PRESENT;
    v->immutability_type = (vp_text){"TimeBased", VP_PRESENT, 0, 0};
    v->immutability_days = (vp_num){30, VP_PRESENT, 0};
    v->source_scan = (vp_text){"Enabled", VP_PRESENT, 0, 0};
    v->engine_count = 1;
    v->lists[VP_ARM_LIST_ENGINES] = VP_LIST_COMPLETE;
    vp_vault *never = NULL;
    for (size_t i = 0; i < s->vault_count; i++)
        if (s->vaults[i].immutability.presence != VP_PRESENT)
            never = &s->vaults[i];
    ck_assert_ptr_nonnull(never);
    never->api_version = "2026-08-01";
    never->security_settings = VP_PRESENT;
    never->immutability_settings = VP_ABSENT;

    vp_backup_engine engine = {.id = "/subscriptions/74dd82d1-2c42-4ca6-80c5-ffbd52be5231/resourceGroups/rg-backup-prd-eus2/providers/Microsoft.RecoveryServices/vaults/rsv-epic-standard-eus2/backupEngines/dpm-sql-01",
                               .name = "dpm-sql-01", .vault_id = v->id, .subscription_id = v->subscription_id, .vault_listed = 1};
    engine.friendly_name = (vp_text){"dpm-sql-01.contoso.local", VP_PRESENT, 0, 0};
    engine.management_type = (vp_text){"DPM", VP_PRESENT, 0, 0};
    engine.engine_type = (vp_text){"DpmBackupEngine", VP_PRESENT, 0, 0};
    engine.registration_status = (vp_text){"Registered", VP_PRESENT, 0, 0};
    engine.health_status = (vp_text){"Healthy", VP_PRESENT, 0, 0};
    engine.dpm_version = (vp_text){"5.1.378.0", VP_PRESENT, 0, 0};
    engine.agent_version = (vp_text){"2.0.9262.0", VP_PRESENT, 0, 0};
    engine.protected_servers_count = (vp_num){3, VP_PRESENT, 0};
    engine.protected_items_count = (vp_num){12, VP_PRESENT, 0};
    engine.refreshed_at = (vp_text){"2026-09-29T23:10:00.25Z", VP_PRESENT, 0, 0};
    const char *excluded[] = {"Microsoft.RecoveryServices/vaults/backupconfig/write"};
    const char *operations[] = {"Microsoft.RecoveryServices/vaults/backupResourceGuardProxies/delete"};
    vp_resource_guard guard = {.id = GUARD_ID, .name = "rguard-contoso-backup", .resource_group = "rg-sec-resourceguards",
                               .subscription_id = "6c3f01ad-7ded-49a0-ab3b-1a895ad0d714", .status = "read",
                               .operations = operations, .operation_count = 1, .exclusions = excluded,
                               .exclusion_count = 1, .exclusions_presence = VP_PRESENT};
    guard.allow_auto_approvals = (vp_flag){0, VP_PRESENT};
    guard.source = (vp_source){"resourceGuards/6c3f01ad-7ded-49a0-ab3b-1a895ad0d714/rg-sec-resourceguards/rguard-contoso-backup.json", ""};
    vp_deleted_vault gone = {.id = "/subscriptions/74dd82d1-2c42-4ca6-80c5-ffbd52be5231/providers/Microsoft.RecoveryServices/locations/eastus2/deletedVaults/rsv-old-eus2",
                             .name = "rsv-old-eus2", .subscription_id = "74dd82d1-2c42-4ca6-80c5-ffbd52be5231", .location = "eastus2"};
    gone.vault_id = (vp_text){"/subscriptions/74dd82d1-2c42-4ca6-80c5-ffbd52be5231/resourceGroups/rg-old/providers/Microsoft.RecoveryServices/vaults/rsv-old-eus2", VP_PRESENT, 0, 0};
    gone.deletion_time = (vp_text){"2026-09-01T10:00:00Z", VP_PRESENT, 0, 0};
    gone.purge_at = (vp_text){"2026-09-15T10:00:00Z", VP_PRESENT, 0, 0};
    /* the first vault with a proxy names this guard (whatever the sample's proxies name) */
    vp_vault *guarded = NULL;
    size_t proxies = 0;
    for (size_t i = 0; i < s->vault_count; i++) {
        proxies += s->vaults[i].guard_count;
        if (!guarded && s->vaults[i].guard_count)
            guarded = &s->vaults[i];
    }
    ck_assert_ptr_nonnull(guarded);
    const char *was_guard_id = guarded->guards[0].resource_guard_id;
    guarded->guards[0].resource_guard_id = GUARD_ID;
    /* the snapshot's own arrays (a collector may have filled them) come back after rendering */
    vp_backup_engine *was_engines = s->engines;
    vp_resource_guard *was_guards = s->resource_guards;
    vp_deleted_vault *was_deleted = s->deleted_vaults;
    size_t was_counts[3] = {s->engine_count, s->resource_guard_count, s->deleted_vault_count};
    s->engines = &engine, s->engine_count = 1;
    s->resource_guards = &guard, s->resource_guard_count = 1;
    s->deleted_vaults = &gone, s->deleted_vault_count = 1;

    vp_status pst = render_pdf_file(&x, pdf, &e);
    char *text = pdf_text(pdf);
    if (!getenv("VP_KEEP_PDF"))
        unlink(pdf);
    vp_status xst = render_file(&x, XLSX_MAX_ROWS, &e);
    char *wb = part(x.xlsx, "xl/workbook.xml"), *items = sheet_xml(x.xlsx, wb, "Protected Items");
    char *engines = sheet_xml(x.xlsx, wb, "Backup Engines"), *guards = sheet_xml(x.xlsx, wb, "Resource Guards");
    char *deleted = sheet_xml(x.xlsx, wb, "Deleted Vaults"), *vaults = sheet_xml(x.xlsx, wb, "Vaults");
    char *styles = part(x.xlsx, "xl/styles.xml"), *readme = sheet_xml(x.xlsx, wb, "README");
    s->engines = was_engines, s->engine_count = was_counts[0]; /* the arrays are this test's, not the snapshot's */
    s->resource_guards = was_guards, s->resource_guard_count = was_counts[1];
    s->deleted_vaults = was_deleted, s->deleted_vault_count = was_counts[2];
    guarded->guards[0].resource_guard_id = was_guard_id;
    fixture_remove_files(&x);
    ck_assert_msg(pst == VP_OK && xst == VP_OK, "%s", e.message);

    /* PDF: the policy by resolution (policies table once, then every item on it) */
    ck_assert_uint_eq(count(text, "polRenamedX"), 1 + on_pa);
    ck_assert_ptr_nonnull(strstr(text, "polgoneaway(notfound)"));
    ck_assert_uint_eq(count(text, "never"), count(before, "never") + 1); /* D only */
    ck_assert_ptr_null(strstr(text, "2001010100:00"));
    ck_assert_ptr_nonnull(strstr(text, "EastUS2(eastus2):"));
    /* no display name in the snapshot: the built-in location table names it (issue 14) */
    ck_assert_ptr_nonnull(strstr(text, "WestUS3(westus3):"));
    ck_assert_ptr_nonnull(strstr(text, "configurationTimeBased,30days"));
    ck_assert_ptr_nonnull(strstr(text, "SourcescanEnabled"));
    ck_assert_ptr_nonnull(strstr(text, "theAPIreturnednoimmutabilitysettingsatapiversion20260801"));
    ck_assert_ptr_nonnull(strstr(text, "dpmsql01.contoso.local"));
    ck_assert_ptr_nonnull(strstr(text, "5.1.378.0"));
    ck_assert_ptr_nonnull(strstr(text, "2.0.9262.0"));
    ck_assert_ptr_nonnull(strstr(text, "3/12"));
    ck_assert_ptr_nonnull(strstr(text, "2026092923:10"));
    ck_assert_ptr_nonnull(strstr(text, "rguardcontosobackup"));
    ck_assert_ptr_nonnull(strstr(text, "othersubscription(tenantnotknown)"));
    ck_assert_ptr_nonnull(strstr(text, "Microsoft.RecoveryServices/vaults/backupconfig/write"));
    ck_assert_ptr_nonnull(strstr(text, "notallowed"));
    ck_assert_ptr_nonnull(strstr(text, "rsvoldeus2"));
    ck_assert_ptr_nonnull(strstr(text, "2026090110:00:00"));
    ck_assert_ptr_nonnull(strstr(text, "2026091510:00:00"));

    /* workbook: the same facts, row by row */
    char *ra = row_with(items, a->id), *rb = row_with(items, b->id), *rc = row_with(items, c->id), *rd = row_with(items, d->id);
    ck_assert_ptr_nonnull(strstr(ra, ">polRenamedX<"));
    ck_assert_ptr_nonnull(strstr(rb, ">pol-gone-away (not found)<"));
    ck_assert_ptr_null(strstr(rc, ">never<")); /* not reported is an empty cell */
    ck_assert_ptr_nonnull(strstr(rd, ">never<"));
    char *re = row_with(engines, "dpm-sql-01.contoso.local");
    ck_assert_ptr_nonnull(strstr(re, ">5.1.378.0<"));
    ck_assert_ptr_nonnull(strstr(re, ">Registered<"));
    ck_assert_ptr_nonnull(strstr(re, ">rsv-epic-standard-eus2<"));
    char *rg = row_with(guards, GUARD_ID);
    ck_assert_ptr_nonnull(strstr(rg, ">read<"));
    ck_assert_ptr_nonnull(strstr(rg, ">other subscription (tenant not known)<"));
    ck_assert_ptr_nonnull(strstr(rg, ">Microsoft.RecoveryServices/vaults/backupconfig/write<"));
    ck_assert_ptr_nonnull(strstr(rg, guarded->name));
    ck_assert_uint_eq(count(guards, "<row "), 1 + proxies); /* one row per vault proxy */
    ck_assert_ptr_nonnull(strstr(deleted, ">rsv-old-eus2<"));
    char *rv = row_with(vaults, ">rsv-epic-standard-eus2<");
    ck_assert_ptr_nonnull(strstr(rv, ">TimeBased<"));
    ck_assert_ptr_nonnull(strstr(rv, ">2026-08-01<"));
    ck_assert_ptr_nonnull(strstr(styles, "formatCode=\"yyyy-mm-dd hh:mm:ss.000\""));
    ck_assert_ptr_nonnull(strstr(readme, ">Backup Engines<"));
    free(ra), free(rb), free(rc), free(rd), free(re), free(rg), free(rv);
    free(text), free(before), free(wb), free(items), free(engines), free(guards), free(deleted), free(vaults);
    free(styles), free(readme);
    fixture_close(&x);
}
END_TEST

/* Isolation of a guard from the vault, from subscription and tenant ids. */
START_TEST(guard_isolation_levels)
{
    vp_subscription subs[] = {{.subscription_id = "s-vault", .tenant_id = "t-1"},
                              {.subscription_id = "s-same-tenant", .tenant_id = "T-1"},
                              {.subscription_id = "s-other-tenant", .tenant_id = "t-2"},
                              {.subscription_id = "s-no-tenant"}};
    vp_snapshot s = {.subscriptions = subs, .subscription_count = 4};
    vp_vault v = {.subscription_id = "s-vault"};
    vp_resource_guard g_same = {.subscription_id = "S-VAULT"}, g_tenant = {.subscription_id = "s-same-tenant"},
                      g_other = {.subscription_id = "s-other-tenant"}, g_none = {.subscription_id = "s-no-tenant"};
    ck_assert_str_eq(vpr_guard_isolation(&s, &v, &g_same, NULL), "same subscription");
    ck_assert_str_eq(vpr_guard_isolation(&s, &v, &g_tenant, NULL), "other subscription");
    ck_assert_str_eq(vpr_guard_isolation(&s, &v, &g_other, NULL), "other tenant");
    ck_assert_str_eq(vpr_guard_isolation(&s, &v, &g_none, NULL), "other subscription (tenant not known)");
    ck_assert_str_eq(vpr_guard_isolation(&s, &v, NULL, "/Subscriptions/s-other-tenant/resourceGroups/rg/providers/"
                                                         "Microsoft.DataProtection/resourceGuards/g"), "other tenant");
    ck_assert_ptr_null(vpr_guard_isolation(&s, &v, NULL, "not-an-arm-id"));
    char buf[64];
    ck_assert_str_eq(vpr_region_label("eastus2", "East US 2", buf, sizeof buf), "East US 2 (eastus2)");
    ck_assert_str_eq(vpr_region_label("eastus2", NULL, buf, sizeof buf), "eastus2");
    ck_assert_str_eq(vpr_region_label("eastus2", "", buf, sizeof buf), "eastus2");
}
END_TEST

/* The names both renderers print (render/estate.h): an in-VM database with its server and
 * instance, whatever is missing; other kinds by friendly name, else name; a location by
 * ARM's display name from the built-in catalog, the snapshot's region second. */
START_TEST(item_names_and_locations)
{
    char buf[128];
    vp_item db = {.name = "SQLDataBase;mssqlserver;master", .kind = "sql_in_vm"};
    db.friendly_name = (vp_text){.presence = VP_PRESENT, .value = "master"};
    db.server = (vp_text){.presence = VP_PRESENT, .value = "sql-01"};
    ck_assert_str_eq(vpr_item_display_name(&db, buf, sizeof buf), "master (server sql-01, instance mssqlserver)");
    db.server.presence = VP_NULL;
    ck_assert_str_eq(vpr_item_display_name(&db, buf, sizeof buf), "master (instance mssqlserver)");
    db.name = "master"; /* no instance field */
    ck_assert_str_eq(vpr_item_display_name(&db, buf, sizeof buf), "master");
    db.name = "SQLDataBase;;master"; /* an empty instance is none */
    db.server.presence = VP_PRESENT;
    ck_assert_str_eq(vpr_item_display_name(&db, buf, sizeof buf), "master (server sql-01)");
    vp_item hana = {.name = "SAPHanaDatabase;s4p;systemdb", .kind = "sap_hana_in_vm"};
    hana.friendly_name = (vp_text){.presence = VP_PRESENT, .value = "SYSTEMDB"};
    hana.server = (vp_text){.presence = VP_PRESENT, .value = "sapdb-01"};
    ck_assert_str_eq(vpr_item_display_name(&hana, buf, sizeof buf), "SYSTEMDB (server sapdb-01, instance s4p)");
    vp_item vm = {.name = "VM;iaasvmcontainerv2;rg;vm-01", .kind = "azure_vm"};
    ck_assert_str_eq(vpr_item_display_name(&vm, buf, sizeof buf), "VM;iaasvmcontainerv2;rg;vm-01");
    vm.friendly_name = (vp_text){.presence = VP_PRESENT, .value = "vm-01"};
    vm.server = (vp_text){.presence = VP_PRESENT, .value = "ignored"};
    ck_assert_str_eq(vpr_item_display_name(&vm, buf, sizeof buf), "vm-01");
    char tiny[8]; /* truncated by snprintf, never overrun */
    db.name = "SQLDataBase;mssqlserver;master";
    ck_assert_str_eq(vpr_item_display_name(&db, tiny, sizeof tiny), "master ");
    ck_assert_int_eq(vpr_item_on_premises(&vm), 0);
    vp_item dpm = {.kind = "dpm"}, mabs = {.kind = "azure_backup_server"}, mars = {.kind = "mars"}, none = {0};
    ck_assert(vpr_item_on_premises(&dpm) && vpr_item_on_premises(&mabs) && vpr_item_on_premises(&mars));
    ck_assert_int_eq(vpr_item_on_premises(&none), 0);

    vp_worm_catalog *cat = NULL;
    vp_error e = {0};
    ck_assert_msg(vp_worm_catalog_builtin(&cat, &e) == VP_OK, "%s", e.message);
    vp_region regions[] = {{.location = "southindia", .display_name = "India South"},
                           {.location = "mars1", .display_name = "Mars One"}};
    vp_snapshot s = {.regions = regions, .region_count = 2};
    /* ARM's displayName wins over a source's spelling; any Azure location is known */
    ck_assert_str_eq(vpr_location_label(&s, cat, "southindia", buf, sizeof buf), "South India (southindia)");
    ck_assert_str_eq(vpr_location_label(&s, cat, "brazilsouth", buf, sizeof buf), "Brazil South (brazilsouth)");
    ck_assert_str_eq(vpr_location_label(&s, cat, "mars1", buf, sizeof buf), "Mars One (mars1)");
    ck_assert_str_eq(vpr_location_label(&s, cat, "nowhere", buf, sizeof buf), "nowhere");
    ck_assert_str_eq(vpr_location_label(&s, NULL, "southindia", buf, sizeof buf), "India South (southindia)");
    ck_assert_ptr_null(vpr_location_display(&s, cat, NULL));
    vp_worm_catalog_free(cat);
}
END_TEST

/* vp_render_jobs_csv (Contract 3): RFC 4180 with CRLF, the detail line's first message
 * for its job (ids compared ignoring case, the first detail line of a job wins), detail
 * lines not rows, quoting of quotes, commas and line breaks; another stream is refused. */
START_TEST(jobs_csv_rows_and_details)
{
    char dir[] = "/tmp/vp-csv-XXXXXX", in[64], out[64];
    vp_error e = {0};
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(in, sizeof in, "%s/jobs.jsonl", dir);
    snprintf(out, sizeof out, "%s/jobs.csv", dir);
    FILE *fp = fopen(in, "w");
    fputs("{\"id\":\"/v/backupJobs/A\",\"vault_id\":\"/v\",\"kind\":\"AzureIaaSVMJob\",\"management_type\":null,"
          "\"entity\":\"web,\\\"01\\\"\\nZ\u00fcrich\",\"operation\":\"Backup\",\"status\":\"Failed\","
          "\"start\":\"2026-08-01T01:00:00Z\",\"end\":null,\"duration\":\"PT1S\",\"error_codes\":[\"1\",\"2\"],"
          "\"crr\":true,\"future\":{\"x\":1},\"source\":{\"file\":\"f.json\",\"pointer\":\"/value/0\"}}\n"
          "{\"detail_of\":\"/V/backupjobs/a\",\"vault_id\":\"/v\",\"errors\":[{\"code\":\"1\",\"message\":\"first\"}],"
          "\"source\":{\"file\":\"d.json\",\"pointer\":\"\"}}\n"
          "{\"detail_of\":\"/v/backupJobs/A\",\"vault_id\":\"/v\",\"errors\":[{\"code\":\"2\",\"message\":\"second\"}],"
          "\"source\":{\"file\":\"d2.json\",\"pointer\":\"\"}}\n",
          fp);
    fclose(fp);
    ck_assert_msg(vp_render_jobs_csv(in, NULL, out, &e) == VP_OK, "%s", e.message);
    char *csv = NULL;
    size_t len = 0;
    ck_assert_int_eq(vp_read_file(out, &csv, &len, &e), VP_OK);
    ck_assert_str_eq(csv, "vault,item,kind,management_type,operation,status,start,end,duration,error_codes,"
                          "error_message,crr,job_id,source_file,source_pointer\r\n"
                          "/v,\"web,\"\"01\"\"\nZ\xc3\xbcrich\",AzureIaaSVMJob,,Backup,Failed,2026-08-01T01:00:00Z,,PT1S,1;2,"
                          "first,true,/v/backupJobs/A,f.json,/value/0\r\n");
    free(csv);
    /* with a snapshot, the stream must be the one it records */
    vp_snapshot snap;
    memset(&snap, 0, sizeof snap);
    memset(snap.collection.jobs_sha256, 'a', 64);
    ck_assert_int_eq(vp_render_jobs_csv(in, &snap, out, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "aaaaaaaa"));
    unlink(out);
    unlink(in);
    rmdir(dir);
}
END_TEST

/* Renders to path with the options given. */
static vp_status render_opts(fixture *x, const char *path, const xlsx_render_opts *o, vp_error *e)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return vp_error_set(e, VP_ERR_IO, "%s: cannot create", path);
    vp_status st = vpr_xlsx_render_opts(&x->in, fp, path, o, e);
    if (fclose(fp) != 0 && !st)
        st = vp_error_set(e, VP_ERR_IO, "%s: cannot write", path);
    return st;
}

/* Text libxlsxwriter treats specially, put where the workbook shows it (VM tags). */
static const char *const awkward[] = {
    " lead", "trail ", "a&b<c>d\"e'f", "tab\tin", "\ttab", "nl\nx", "ctl\x01x\x1f", "x\r", "\x0b", "\n",
    "_x0041_", "\xc3\xa9 \xe2\x98\x83", "<row r=\"9\">", "</sheetData>", " ",
};

/* Every part of the workbook: the names unzip lists, then every part's bytes in that
 * order (unzip -p), so two workbooks compare with one strcmp. */
static char *all_parts(const char *xlsx)
{
    char cmd[1024];
    int status;
    snprintf(cmd, sizeof cmd, "unzip -Z1 '%s' && unzip -p '%s'", xlsx, xlsx);
    char *out = command_output(cmd, &status);
    ck_assert_int_eq(status, 0);
    return out;
}

/* The rows are written by our own writer (xlsx_rows.c) and spliced into libxlsxwriter's
 * parts: every part must read exactly as when libxlsxwriter wrote the rows itself, for
 * awkward text, numbers, dates, booleans, and sheets continued at a row limit. */
START_TEST(rows_read_as_libxlsxwriter_wrote_them)
{
    fixture x;
    vp_error e = {0};
    char ref[340];
    fixture_open(&x);
    snprintf(ref, sizeof ref, "%s/reference.xlsx", x.dir);
    size_t n = sizeof awkward / sizeof awkward[0];
    for (size_t v = 0, i = 0; v < x.snap->vm_count && i < n; v++)
        for (size_t t = 0; t < x.snap->vms[v].tags.count && i < n; t++)
            x.snap->vms[v].tags.items[t].value = (char *)awkward[i++];
    { /* at a row limit of 100, so that populations continue over several sheets */
        xlsx_render_opts ours = {.max_rows = 100}, theirs = ours;
        theirs.rows_via_lxw = 1;
        vp_status a = render_opts(&x, x.xlsx, &ours, &e);
        ck_assert_msg(a == VP_OK, "%s", e.message);
        vp_status b = render_opts(&x, ref, &theirs, &e);
        ck_assert_msg(b == VP_OK, "%s", e.message);
        char *mine = all_parts(x.xlsx), *lxw = all_parts(ref), *wb = part(x.xlsx, "xl/workbook.xml");
        char *vms = sheet_xml(x.xlsx, wb, "Virtual Machines");
        char test[400];
        snprintf(test, sizeof test, "unzip -tq '%s' >/dev/null 2>&1", x.xlsx);
        int tested = system(test);
        unlink(ref);
        fixture_remove_files(&x);
        ck_assert_int_eq(tested, 0);
        ck_assert_uint_gt(strlen(lxw), 100000);
        ck_assert_ptr_nonnull(strstr(vms, "ctl_x0001_x_x001F_")); /* the awkward text is in there */
        ck_assert_ptr_nonnull(strstr(vms, "&lt;/sheetData&gt;"));
        ck_assert_ptr_nonnull(strstr(mine, "<sheet name=\"Findings (2)\""));
        size_t i = 0; /* where they differ, for the message (one check: Check records every check) */
        while (mine[i] && mine[i] == lxw[i])
            i++;
        ck_assert_msg(mine[i] == lxw[i], "parts differ at byte %zu: ...%.80s... against ...%.80s...", i,
                      mine + (i > 40 ? i - 40 : 0), lxw + (i > 40 ? i - 40 : 0));
        free(vms);
        free(wb);
        free(mine);
        free(lxw);
    }
    fixture_close(&x);
}
END_TEST

static int has_bytes(const char *hay, size_t len, const char sig[4])
{
    for (size_t i = 0; i + 4 <= len; i++)
        if (memcmp(hay + i, sig, 4) == 0)
            return 1;
    return 0;
}

/* The ZIP64 fields a part past 4 GB gets, forced on a small workbook: unzip tests and
 * reads it, and its parts are the plain workbook's. */
START_TEST(zip64_workbook_reads_the_same)
{
    fixture x;
    vp_error e = {0};
    char big[340], *data = NULL;
    size_t len = 0;
    fixture_open(&x);
    snprintf(big, sizeof big, "%s/zip64.xlsx", x.dir);
    xlsx_render_opts plain = {.max_rows = XLSX_MAX_ROWS}, forced = {.max_rows = XLSX_MAX_ROWS, .force_zip64 = 1};
    ck_assert_int_eq(render_opts(&x, x.xlsx, &plain, &e), VP_OK);
    ck_assert_int_eq(render_opts(&x, big, &forced, &e), VP_OK);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "unzip -tq '%s' >/dev/null 2>&1", big);
    int tested = system(cmd);
    char *a = all_parts(x.xlsx), *b = all_parts(big);
    ck_assert_int_eq(vp_read_file(big, &data, &len, &e), VP_OK);
    unlink(big);
    fixture_remove_files(&x);
    ck_assert_int_eq(tested, 0);
    ck_assert_str_eq(a, b);
    ck_assert_uint_gt(len, 100);
    /* the ZIP64 end of central directory record and its locator come before the plain end */
    ck_assert(has_bytes(data, len, "PK\x06\x06"));
    ck_assert(has_bytes(data, len, "PK\x06\x07"));
    free(a);
    free(b);
    free(data);
    fixture_close(&x);
}
END_TEST

/* The rows' stream on its own: cells come out in column order whatever order they were
 * written in, the last value of a cell wins, a row without cells is left out, and the
 * deflate data ends on a byte boundary that more deflate data can follow. */
START_TEST(rows_stream_orders_cells)
{
    xlsx_rows *r = NULL;
    vp_error e = {0};
    const char *tmp = getenv("TMPDIR");
    ck_assert_int_eq(vpr_rows_new(&r, tmp && *tmp ? tmp : "/tmp", 4, 6, &e), VP_OK);
    ck_assert_int_eq(vpr_rows_start(r, 2), 0);
    ck_assert_int_eq(vpr_rows_number(r, 3, 1.5, 0), 0);
    ck_assert_int_eq(vpr_rows_text(r, 1, "first", 0), 0);
    ck_assert_int_eq(vpr_rows_text(r, 1, "a&b", 7), 0); /* replaces "first" */
    ck_assert_int_eq(vpr_rows_start(r, 3), 0);          /* no cells: no row */
    ck_assert_int_eq(vpr_rows_start(r, 4), 0);
    ck_assert_int_eq(vpr_rows_bool(r, 2, 1, 0), 0);
    ck_assert_int_eq(vpr_rows_text(r, 9, "x", 0), -1); /* past the columns: a bug, reported */
    ck_assert_int_eq(vpr_rows_failed(r), EINVAL);
    vpr_rows_free(r);

    ck_assert_int_eq(vpr_rows_new(&r, tmp && *tmp ? tmp : "/tmp", 4, 6, &e), VP_OK);
    ck_assert_int_eq(vpr_rows_start(r, 2), 0);
    ck_assert_int_eq(vpr_rows_number(r, 3, 1.5, 0), 0);
    ck_assert_int_eq(vpr_rows_text(r, 1, "first", 0), 0);
    ck_assert_int_eq(vpr_rows_text(r, 1, "a&b", 7), 0);
    ck_assert_int_eq(vpr_rows_start(r, 3), 0);
    ck_assert_int_eq(vpr_rows_start(r, 4), 0);
    ck_assert_int_eq(vpr_rows_bool(r, 2, 1, 0), 0);
    ck_assert_int_eq(vpr_rows_finish(r), 0);
    const xlsx_rows_info *ri = vpr_rows_info(r);
    unsigned char packed[4096], xml[4096];
    size_t got = fread(packed, 1, sizeof packed, vpr_rows_file(r));
    ck_assert_uint_eq(got, ri->deflated_size);
    packed[got] = 0x03; /* a final, empty fixed-Huffman block: what may follow the rows */
    packed[got + 1] = 0x00;
    z_stream z = {0};
    ck_assert_int_eq(inflateInit2(&z, -MAX_WBITS), Z_OK);
    z.next_in = packed;
    z.avail_in = (uInt)got + 2;
    z.next_out = xml;
    z.avail_out = sizeof xml - 1;
    ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
    xml[z.total_out] = '\0';
    inflateEnd(&z);
    ck_assert_str_eq((char *)xml, "<row r=\"2\"><c r=\"B2\" s=\"7\" t=\"inlineStr\"><is><t>a&amp;b</t></is></c>"
                                  "<c r=\"D2\"><v>1.5</v></c></row>"
                                  "<row r=\"4\"><c r=\"C4\" t=\"b\"><v>1</v></c></row>");
    ck_assert_uint_eq(ri->xml_size, z.total_out);
    ck_assert_uint_eq(ri->crc, crc32(0, xml, (uInt)z.total_out));
    ck_assert_uint_eq(ri->last_row, 4);
    ck_assert_uint_eq(ri->min_col, 1);
    ck_assert_uint_eq(ri->max_col, 4);
    vpr_rows_free(r);
}
END_TEST

/* The workbook builds its tally without the findings and counts them per vault on the
 * Findings rows' pass (vp_tally_build_uncounted, vp_tally_add): the same counts as the
 * report's vp_tally_build. */
START_TEST(tally_counted_later_is_the_same)
{
    fixture x;
    vp_error e = {0};
    vp_tally full, later;
    const vp_finding_record *r;
    size_t before = 0, after = 0, n = 0;
    fixture_open(&x);
    fixture_remove_files(&x);
    ck_assert_int_eq(vp_tally_build(&full, x.snap, x.ff, &e), VP_OK);
    ck_assert_int_eq(vp_tally_build_uncounted(&later, x.snap, x.ff, &e), VP_OK);
    for (size_t v = 0; v <= later.vault_count; v++)
        for (int st = 0; st < VP_STATUS_COUNT; st++)
            before += later.by_vault[v][st];
    while (vp_findings_file_next(x.ff, &r, &e) == VP_OK && r) {
        vp_tally_add(&later, vp_tally_vault_of(x.snap, r->resource_id), r->status);
        n++;
    }
    for (size_t v = 0; v <= later.vault_count; v++)
        for (int st = 0; st < VP_STATUS_COUNT; st++)
            after += later.by_vault[v][st];
    ck_assert_uint_eq(before, 0);
    ck_assert_uint_gt(n, 100);
    ck_assert_uint_eq(after, n);
    ck_assert_int_eq(memcmp(full.by_vault, later.by_vault, (full.vault_count + 1) * sizeof *full.by_vault), 0);
    ck_assert_int_eq(memcmp(full.population, later.population, sizeof full.population), 0);
    vp_tally_free(&full);
    vp_tally_free(&later);
    fixture_close(&x);
}
END_TEST

/* Renders one document to memory, malloc'd into *out. */
static vp_status render_mem(vp_status (*fn)(const vp_render_input *, FILE *, const char *, vp_error *),
                            const vp_render_input *in, char **out, size_t *len, vp_error *e)
{
    FILE *fp = open_memstream(out, len);
    ck_assert_ptr_nonnull(fp);
    vp_status st = fn(in, fp, "memory", e);
    fclose(fp);
    return st;
}

/* pack's evaluation counts the findings per vault as it writes findings.json: the file is
 * the same, the counts are the report's vp_tally_build's, both documents come out the
 * same with them, and a workbook reading back other counts than those refuses to go on. */
START_TEST(evaluation_counts_serve_both_renderers)
{
    fixture x;
    vp_error e = {0};
    vp_vault_counts c = {0};
    vp_tally full, counted;
    char *plain = NULL, *with = NULL, *pdf_a = NULL, *pdf_b = NULL, *wb_a = NULL, *wb_b = NULL, *bad = NULL;
    size_t plain_len = 0, with_len = 0, pa = 0, pb = 0, wa = 0, wbl = 0, bl = 0, total = 0;
    fixture_open(&x);
    fixture_remove_files(&x);
    FILE *fp = open_memstream(&plain, &plain_len), *fc = open_memstream(&with, &with_len);
    ck_assert_int_eq(vp_findings_write_json(x.f, fp, "plain", &e), VP_OK);
    ck_assert_msg(vp_findings_write_json_counted(x.f, fc, "counted", &c, &e) == VP_OK, "%s", e.message);
    fclose(fp);
    fclose(fc);
    ck_assert_uint_eq(plain_len, with_len);
    ck_assert_int_eq(memcmp(plain, with, plain_len), 0);
    ck_assert_uint_eq(c.vault_count, x.snap->vault_count);
    ck_assert_int_eq(vp_tally_build(&full, x.snap, x.ff, &e), VP_OK);
    for (size_t v = 0; v <= c.vault_count; v++)
        for (int st = 0; st < VP_STATUS_COUNT; st++)
            total += c.by_vault[v][st];
    ck_assert_uint_eq(total, vp_findings_total(x.f));
    ck_assert_int_eq(memcmp(full.by_vault, c.by_vault, (c.vault_count + 1) * sizeof *c.by_vault), 0);
    ck_assert_int_eq(vp_tally_check(&full, x.snap, &c, "findings", &e), VP_OK);
    ck_assert_int_eq(vp_tally_build_counted(&counted, x.snap, x.ff, &c, &e), VP_OK);
    ck_assert_int_eq(memcmp(full.by_framework, counted.by_framework, sizeof full.by_framework), 0);
    ck_assert_int_eq(memcmp(full.population, counted.population, sizeof full.population), 0);

    ck_assert_msg(render_mem(vp_render_pdf, &x.in, &pdf_a, &pa, &e) == VP_OK, "%s", e.message);
    ck_assert_msg(render_mem(vp_render_xlsx, &x.in, &wb_a, &wa, &e) == VP_OK, "%s", e.message);
    x.in.vault_counts = &c;
    ck_assert_msg(render_mem(vp_render_pdf, &x.in, &pdf_b, &pb, &e) == VP_OK, "%s", e.message);
    ck_assert_msg(render_mem(vp_render_xlsx, &x.in, &wb_b, &wbl, &e) == VP_OK, "%s", e.message);
    ck_assert_uint_gt(pa, 10000);
    ck_assert_uint_eq(pa, pb);
    ck_assert_int_eq(memcmp(pdf_a, pdf_b, pa), 0);
    ck_assert_uint_eq(wa, wbl);
    ck_assert_int_eq(memcmp(wb_a, wb_b, wa), 0);

    /* one failing finding of the first vault more than the file holds */
    c.by_vault[0][VP_FAIL]++;
    ck_assert_int_eq(vp_tally_check(&full, x.snap, &c, "findings", &e), VP_ERR_INTERNAL);
    /* the report prints the counts it is given (it has no pass of its own to compare) */
    ck_assert_msg(render_mem(vp_render_pdf, &x.in, &bad, &bl, &e) == VP_OK, "%s", e.message);
    ck_assert_msg(bl != pa || memcmp(bad, pdf_a, pa), "the report did not take the evaluation's counts");
    free(bad);
    bad = NULL;
    ck_assert_int_eq(render_mem(vp_render_xlsx, &x.in, &bad, &bl, &e), VP_ERR_INTERNAL);
    ck_assert_msg(strstr(e.message, " fail findings of ") && strstr(e.message, x.snap->vaults[0].name) &&
                      strstr(e.message, "read back, but the evaluation wrote"),
                  "%s", e.message);
    c.vault_count++;
    ck_assert_int_eq(vp_tally_build_counted(&counted, x.snap, x.ff, &c, &e), VP_ERR_INTERNAL);
    c.vault_count--;
    vp_tally_free(&full);
    vp_tally_free(&counted);
    vp_vault_counts_free(&c);
    ck_assert_ptr_null(c.by_vault);
    free(plain);
    free(with);
    free(pdf_a);
    free(pdf_b);
    free(wb_a);
    free(wb_b);
    free(bad);
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
    tcase_add_test(tc, finding_citing_otherwise_than_its_rule_is_refused);
    tcase_add_test(tc, write_failure_is_an_io_error);
    tcase_add_test(tc, pdf_write_failure_is_an_io_error);
    tcase_add_test(tc, bad_row_limit_is_a_bug);
    tcase_add_test(tc, format2_estate_in_both_renderers);
    tcase_add_test(tc, long_lists_get_a_two_level_page_tree);
    tcase_add_test(tc, guard_isolation_levels);
    tcase_add_test(tc, item_names_and_locations);
    tcase_add_test(tc, jobs_csv_rows_and_details);
    tcase_add_test(tc, rows_read_as_libxlsxwriter_wrote_them);
    tcase_add_test(tc, zip64_workbook_reads_the_same);
    tcase_add_test(tc, rows_stream_orders_cells);
    tcase_add_test(tc, tally_counted_later_is_the_same);
    tcase_add_test(tc, evaluation_counts_serve_both_renderers);
    suite_add_tcase(s, tc);
    return s;
}
