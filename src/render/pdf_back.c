/* The back of the report: the population of protected items (in full up to the
 * population limit, else summarized with a pointer to the workbook) and the appendix:
 * WORM region catalog, glossary, file hashes and how to verify. */
#include <stdlib.h>
#include <string.h>

#include "render/estate.h"
#include "render/pdf_internal.h"
#include "render/verify_steps.h"

#define MAX_GROUPS 64

/* ---- population ---- */

static const char *reported(const vp_text *t)
{
    return t->presence == VP_PRESENT && t->value ? t->value : "not reported";
}

/* "2026-09-29T22:01:07.123Z" -> "2026-09-29\n22:01:07": the population's times to the
 * second as the API reported them (UTC; the column titles say so), the date above the
 * time so that neither is broken inside; a dash for a time not reported. */
const char *vpr_pdf_time(pdf_ctx *c, const char *rfc3339)
{
    if (!rfc3339)
        return "\xE2\x80\x94";
    char *s = vpr_pdf_printf(c, "%.19s", rfc3339);
    if (strlen(s) > 10 && s[10] == 'T')
        s[10] = '\n';
    return s;
}

static void item_row(pdf_ctx *c, pdf_table *t, size_t index)
{
    const vp_item *it = &c->snap->items[index];
    const vp_vault *v = it->vault_id ? vp_snapshot_find_vault(c->snap, it->vault_id) : NULL;
    const vp_policy *p = it->policy_id.value ? vp_snapshot_find_policy(c->snap, it->policy_id.value) : NULL;
    char name[512];
    pdf_cell cells[7];
    cells[0] = vpr_pdf_cell_text(vpr_pdf_strdup(c, vpr_item_display_name(it, name, sizeof name)));
    cells[0].nparts = 2;
    cells[0].parts[1] = (pdf_part){vpr_pdf_nz(it->name), PF_MONO, -1, &vpr_pdf_muted, 5.5f};
    cells[1] = vpr_pdf_cell_text(v ? v->name : vpr_pdf_nz(it->vault_id));
    cells[2] = vpr_pdf_cell_text(it->kind);
    char policy[512];
    cells[3] = vpr_pdf_cell_text(vpr_pdf_strdup(c, vpr_item_policy(c->snap, it, policy, sizeof policy)));
    cells[4] = vpr_pdf_cell_text(reported(&it->protection_state));
    /* the API's 2001-01-01 placeholder is "never", as findings say "no backup yet" */
    cells[5] = vpr_pdf_cell_text(vpr_time_never(&it->last_backup_time) ? VPR_NEVER
                                                                       : vpr_pdf_time(c, it->last_backup_time.value));
    /* DPM, Azure Backup Server and MARS items often report no lastBackupTime: their last
     * recovery point is what shows that backups happen */
    if (vpr_item_on_premises(it)) {
        cells[5].nparts = 2;
        cells[5].parts[1] = (pdf_part){vpr_pdf_printf(c, "last recovery point %s",
                                                      vpr_pdf_time(c, it->last_recovery_point.value)),
                                       PF_SANS, -1, &vpr_pdf_muted, 5.5f};
    }
    cells[6] = vpr_pdf_cell_text(!p ? "\xE2\x80\x94" : p->long_term_days < 0 ? "unknown" : vpr_pdf_printf(c, "%lld d", p->long_term_days));
    vpr_pdf_table_row(c, t, cells);
}

typedef struct {
    const char *name;
    size_t n;
} group;

static void count_into(group *g, size_t *ng, const char *name)
{
    size_t i = 0;
    while (i < *ng && strcmp(g[i].name, name))
        i++;
    if (i == *ng) {
        if (*ng == MAX_GROUPS)
            i = MAX_GROUPS - 1, g[i].name = "other";
        else
            g[(*ng)++] = (group){name, 0};
    }
    g[i].n++;
}

static void group_table(pdf_ctx *c, const char *title, const group *g, size_t n)
{
    pdf_col cols[2] = {{title, 200, PF_MONO, PA_LEFT}, {"Items", 70, PF_SANS, PA_RIGHT}};
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 2, PDF_TABLE_SIZE);
    for (size_t i = 0; i < n && !c->status; i++) {
        const char *row[] = {g[i].name, vpr_pdf_count(c, g[i].n)};
        vpr_pdf_table_strings(c, &t, row);
    }
    vpr_pdf_table_end(c, &t);
}

static void population_summary(pdf_ctx *c, const char *const *vars)
{
    group kinds[MAX_GROUPS], states[MAX_GROUPS];
    size_t nk = 0, ns = 0;
    for (size_t i = 0; i < c->snap->item_count; i++) {
        count_into(kinds, &nk, vpr_pdf_nz(c->snap->items[i].kind));
        count_into(states, &ns, reported(&c->snap->items[i].protection_state));
    }
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_tf(c, "/sections/population/summary", vars));
    vpr_pdf_para(c, PF_BOLD, PDF_BODY_SIZE, NULL,
             vpr_pdf_tf(c, c->in->xlsx_name ? "/sections/population/pointer" : "/sections/population/no_workbook", vars));
    group_table(c, "Item kind", kinds, nk);
    group_table(c, "Protection state", states, ns);
}

void vpr_pdf_population(pdf_ctx *c)
{
    /* widths that fit the estate's longest states ("ProtectionStopped") and kinds on one
     * line; ids and times wrap at their separators (pdf_table.c cuts nothing) */
    static const pdf_col cols[] = {{"Protected item", 114, PF_SANS, PA_LEFT}, {"Vault", 78, PF_SANS, PA_LEFT},
                                   {"Kind", 66, PF_MONO, PA_LEFT},            {"Policy", 72, PF_SANS, PA_LEFT},
                                   {"State", 66, PF_SANS, PA_LEFT},           {"Last backup (UTC)", 60, PF_SANS, PA_LEFT},
                                   {"Retention", PDF_WIDTH - 456, PF_SANS, PA_RIGHT}};
    const char *count = vpr_pdf_count(c, c->snap->item_count), *limit = vpr_pdf_count(c, c->population_limit);
    const char *vars[] = {"count", count, "limit", limit, "xlsx", vpr_pdf_nz(c->in->xlsx_name),
                          "xlsx_sha256", vpr_pdf_workbook_sha256(c),
                          "sheet", vpr_pdf_t(c, "/sections/population/sheet"), "snapshot", vpr_pdf_nz(c->in->snapshot_label), NULL};
    vpr_pdf_section(c, vpr_pdf_t(c, "/sections/population/title"));
    if (c->snap->item_count > c->population_limit) {
        population_summary(c, vars);
        vpr_pdf_population_estate(c);
        return;
    }
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_tf(c, "/sections/population/intro", vars));
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 7, 6.5f);
    for (size_t i = 0; i < c->snap->item_count && !c->status; i++)
        item_row(c, &t, i);
    vpr_pdf_table_end(c, &t);
    vpr_pdf_population_estate(c);
}

/* ---- appendix ---- */

static void worm(pdf_ctx *c)
{
    const vp_snapshot *s = c->snap;
    const vp_collection *col = &s->collection;
    static const pdf_col rcols[] = {{"Region", 90, PF_MONO, PA_LEFT},  {"Display name", 90, PF_SANS, PA_LEFT},
                                    {"WORM status", 120, PF_SANS, PA_LEFT}, {"Vaults", 45, PF_SANS, PA_RIGHT},
                                    {"Sources", PDF_WIDTH - 345, PF_MONO, PA_LEFT}};
    static const pdf_col scols[] = {{"Source", 70, PF_MONO, PA_LEFT}, {"Title, address and revision", PDF_WIDTH - 250, PF_SANS, PA_LEFT},
                                    {"As of", 60, PF_SANS, PA_LEFT},   {"Retrieved", 60, PF_SANS, PA_LEFT},
                                    {"Recorded", 60, PF_SANS, PA_LEFT}};
    vpr_pdf_heading(c, 1, vpr_pdf_t(c, "/sections/appendix/worm/title"), 1);
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, "/sections/appendix/worm/intro"));
    vpr_pdf_para(c, PF_SANS, 7.5f, &vpr_pdf_muted,
             vpr_pdf_printf(c, "Catalog version %s (%s), SHA-256 %s", vpr_pdf_nz(col->worm_catalog_version),
                        vpr_pdf_nz(col->worm_catalog_origin), vpr_pdf_nz(col->worm_catalog_sha256)));
    pdf_table t;
    vpr_pdf_table_begin(c, &t, rcols, 5, PDF_TABLE_SIZE);
    for (size_t i = 0; i < s->region_count && !c->status; i++) {
        const vp_region *r = &s->regions[i];
        const char *sources = "";
        for (size_t k = 0; k < r->source_count; k++)
            sources = vpr_pdf_printf(c, "%s%s%s", sources, k ? "\n" : "", r->sources[k]);
        int ga = r->worm && !strcmp(r->worm, "ga");
        const char *row[] = {vpr_pdf_nz(r->location), r->display_name && *r->display_name ? r->display_name : "\xE2\x80\x94",
                             ga ? "generally available" : r->worm ? "pending automatic transition" : "not listed",
                             vpr_pdf_count(c, r->vault_count), *sources ? sources : "\xE2\x80\x94"};
        vpr_pdf_table_strings(c, &t, row);
    }
    vpr_pdf_table_end(c, &t);
    vpr_pdf_table_begin(c, &t, scols, 5, PDF_TABLE_SIZE);
    for (size_t i = 0; i < s->worm_source_count && !c->status; i++) {
        const vp_worm_source *w = &s->worm_sources[i];
        /* one revision of a page is one source: told apart by retrieval date and the hash of its quote */
        pdf_cell cells[5] = {vpr_pdf_cell_text(w->id), vpr_pdf_cell_text(w->title),
                             vpr_pdf_cell_text(w->as_of ? w->as_of : "undated"),
                             vpr_pdf_cell_text(w->retrieved ? w->retrieved : "\xE2\x80\x94"), vpr_pdf_cell_text(w->recorded)};
        cells[1].nparts = 2;
        cells[1].parts[1] = (pdf_part){vpr_pdf_nz(w->url), PF_MONO, -1, &vpr_pdf_muted, 5.8f};
        if (w->sha256 || w->supersedes) {
            cells[1].nparts = 3;
            cells[1].parts[2] = (pdf_part){vpr_pdf_printf(c, "%s%s%s%s", w->sha256 ? "SHA-256 of the quoted text " : "",
                                                          vpr_pdf_nz(w->sha256), w->supersedes ? (w->sha256 ? "; supersedes " : "supersedes ") : "",
                                                          vpr_pdf_nz(w->supersedes)),
                                           PF_MONO, -1, &vpr_pdf_muted, 5.2f};
        }
        vpr_pdf_table_row(c, &t, cells);
    }
    vpr_pdf_table_end(c, &t);
}

static void glossary(pdf_ctx *c)
{
    static const pdf_col cols[] = {{"Term", 130, PF_BOLD, PA_LEFT}, {"Meaning", PDF_WIDTH - 130, PF_SANS, PA_LEFT}};
    const cJSON *g = vpr_texts_node(c->texts, "/glossary");
    vpr_pdf_heading(c, 1, vpr_pdf_t(c, "/sections/appendix/glossary/title"), 1);
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 2, 7.2f);
    for (int i = 0; g && i < cJSON_GetArraySize(g) && !c->status; i++) {
        const char *row[] = {vpr_pdf_t(c, vpr_pdf_printf(c, "/glossary/%d/term", i)),
                             vpr_pdf_t(c, vpr_pdf_printf(c, "/glossary/%d/definition", i))};
        vpr_pdf_table_strings(c, &t, row);
    }
    vpr_pdf_table_end(c, &t);
}

/* The report renders alongside the workbook, so it cannot know the workbook's hash; in a
 * bundle the manifest and SHA256SUMS record it (pipeline/render.c). */
const char *vpr_pdf_workbook_sha256(pdf_ctx *c)
{
    return vpr_pdf_t(c, c->in->bundle_name ? "/sections/appendix/hashes/workbook_bundle"
                                           : "/sections/appendix/hashes/workbook_alone");
}

static void hash_row(pdf_ctx *c, pdf_table *t, const char *what, const char *file, const char *sha)
{
    const char *row[] = {what, file && *file ? file : "\xE2\x80\x94", sha && *sha ? sha : "not given"};
    vpr_pdf_table_strings(c, t, row);
}

static void raw_files(pdf_ctx *c)
{
    const vp_collection *col = &c->snap->collection;
    static const pdf_col cols[] = {{"Raw file", PDF_WIDTH - 255, PF_MONO, PA_LEFT}, {"Bytes", 50, PF_SANS, PA_RIGHT},
                                   {"SHA-256", 205, PF_MONO, PA_LEFT}};
    long long bytes = 0;
    for (size_t i = 0; i < col->file_count; i++)
        bytes += col->files[i].bytes;
    if (col->file_count > c->population_limit) {
        const char *vars[] = {"count", vpr_pdf_count(c, col->file_count), "bytes", vpr_pdf_count(c, (size_t)bytes), "snapshot", vpr_pdf_nz(c->in->snapshot_label), NULL};
        vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_tf(c, "/sections/appendix/hashes/raw_summary", vars));
        return;
    }
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 3, 6);
    for (size_t i = 0; i < col->file_count && !c->status; i++) {
        const vp_input_file *f = &col->files[i];
        pdf_cell cells[3] = {vpr_pdf_cell_text(f->path), vpr_pdf_cell_text(vpr_pdf_count(c, (size_t)(f->bytes > 0 ? f->bytes : 0))),
                             vpr_pdf_cell_text(f->sha256)};
        cells[2].parts[0].size = 5.2f;
        vpr_pdf_table_row(c, &t, cells);
    }
    vpr_pdf_table_end(c, &t);
}

static void hashes(pdf_ctx *c)
{
    const vp_render_input *in = c->in;
    const vp_findings_header *h = c->hdr;
    static const pdf_col cols[] = {{"File", 95, PF_BOLD, PA_LEFT}, {"Name", PDF_WIDTH - 300, PF_SANS, PA_LEFT},
                                   {"SHA-256", 205, PF_MONO, PA_LEFT}};
    vpr_pdf_heading(c, 1, vpr_pdf_t(c, "/sections/appendix/hashes/title"), 1);
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, "/sections/appendix/hashes/intro"));
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 3, PDF_TABLE_SIZE);
    hash_row(c, &t, "Snapshot", in->snapshot_label, in->snapshot_sha256 ? in->snapshot_sha256 : h->snapshot_sha256);
    hash_row(c, &t, "Findings", in->findings_label, in->findings_sha256);
    if (in->xlsx_name)
        hash_row(c, &t, "Workbook", in->xlsx_name, vpr_pdf_workbook_sha256(c));
    hash_row(c, &t, "Control catalog", vpr_pdf_printf(c, "version %s", vpr_pdf_nz(h->catalog_version)), h->catalog_sha256);
    hash_row(c, &t, "Configuration", h->config_path, h->config_sha256);
    hash_row(c, &t, "WORM catalog", c->snap->collection.worm_catalog_origin, c->snap->collection.worm_catalog_sha256);
    for (size_t i = 0; i < h->baseline_count; i++)
        hash_row(c, &t, "Baseline snapshot", h->baselines[i].file, h->baselines[i].sha256);
    vpr_pdf_table_end(c, &t);
    raw_files(c);
}

/* The size of the command lines: the longest (about 140 characters) fits the page width
 * in the mono font, so pdftotext gives each back as the one line it must be run as. */
#define VERIFY_COMMAND_SIZE 5.6f

typedef struct {
    pdf_ctx *c;
    pdf_table t;
    int open; /* t holds the current step's command box */
} verify_page;

static void close_box(verify_page *v)
{
    if (v->open)
        vpr_pdf_table_end(v->c, &v->t);
    v->open = 0;
}

static void verify_para(void *ctx, const char *text, int emphasis)
{
    verify_page *v = ctx;
    vpr_pdf_para(v->c, emphasis ? PF_BOLD : PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_strdup(v->c, text));
}

static void verify_step(void *ctx, const char *title, const char *text)
{
    verify_page *v = ctx;
    close_box(v);
    vpr_pdf_heading(v->c, 2, vpr_pdf_strdup(v->c, title), 0);
    vpr_pdf_para(v->c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_strdup(v->c, text));
}

static void verify_line(void *ctx, const char *line)
{
    static const pdf_col cols[] = {{NULL, PDF_WIDTH, PF_MONO, PA_LEFT}};
    verify_page *v = ctx;
    if (!v->open) {
        vpr_pdf_table_begin(v->c, &v->t, cols, 1, VERIFY_COMMAND_SIZE);
        v->open = 1;
    }
    v->t.rows = 1; /* every line on the shaded background */
    const char *row[] = {vpr_pdf_strdup(v->c, line)};
    vpr_pdf_table_strings(v->c, &v->t, row);
}

/* The steps every place prints (render/verify_steps.h): rendered by pack they name the
 * bundle and the CA's fingerprint and run as printed (tests/integration/
 * test_literal_steps.py); rendered alone, BUNDLE stands for the bundle and the intro
 * says they are a template. */
static void verify(pdf_ctx *c)
{
    const vp_render_input *in = c->in;
    verify_page v = {c, {0}, 0};
    const vpr_verify_sink sink = {verify_para, verify_step, verify_line, &v};
    const vpr_verify_names names = {in->bundle_name, in->ca_fingerprint, in->timestamped};
    vp_error err;
    vpr_pdf_heading(c, 1, vpr_pdf_t(c, "/sections/appendix/verify/title"), 1);
    if (vpr_verify_steps(c->texts, &names, &sink, &err))
        vpr_pdf_fail(c, err.status, "%s", err.message);
    close_box(&v);
}

void vpr_pdf_appendix(pdf_ctx *c)
{
    vpr_pdf_section(c, vpr_pdf_t(c, "/sections/appendix/title"));
    worm(c);
    glossary(c);
    hashes(c);
    verify(c);
}
