/* The exceptions: every finding that is fail, warn or incomplete, in full, in file order
 * (grouped by rule in catalog order), laid out in a pass over the findings that also
 * keeps the exemption register (the exemption.valid findings; a handful). The exempted
 * findings follow in a section of their own, from a second pass: an exempted finding is
 * not a failure, and an auditor reads the two lists for different questions (what is
 * wrong; what was accepted, by whom, until when). The counts the summary prints are
 * vaultproof/tally.h's, made before.
 *
 * Up to the population limit each exception is a block with its full resource id,
 * note, exemption and both evidence pointers; beyond it (a large estate has tens of
 * thousands) each is one compact row whose snapshot pointer locates the rest, so that
 * the document libharu holds in memory stays within bounds. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "render/estate.h"
#include "render/exceptions.h"
#include "render/pdf_internal.h"

typedef struct {
    const vp_rule_record *rules;
    size_t nrules, current;
    pdf_table table;
    int in_table;
    int list; /* LIST_FAILURES or LIST_EXEMPT */
    size_t shown;
} pass_state;

/* The two lists: failures (fail, warn, incomplete) and exempted findings. */
enum { LIST_FAILURES, LIST_EXEMPT };

static int in_list(int list, vp_finding_status s)
{
    if (list == LIST_EXEMPT)
        return s == VP_EXEMPT;
    return s == VP_WARN || s == VP_FAIL || s == VP_INCOMPLETE;
}

static void rules_begin(pdf_ctx *c, pass_state *ps)
{
    ps->rules = vp_findings_file_rules(c->ff, &ps->nrules);
    ps->current = (size_t)-1;
}

/* The rule record of a finding; the previous answer first (findings come by rule). */
static size_t find_rule(pass_state *ps, const char *id)
{
    if (ps->current < ps->nrules && !strcmp(ps->rules[ps->current].id, id))
        return ps->current;
    for (size_t r = 0; r < ps->nrules; r++)
        if (!strcmp(ps->rules[r].id, id))
            return r;
    return ps->nrules;
}

/* The rule whose findings make the exemption register, whatever their status. */
static const char register_rule[] = "exemption.valid";

static void keep_exemption(pdf_ctx *c, const vp_finding_record *f)
{
    if (!strcmp(f->rule, register_rule)) {
        pdf_exemption *e = VP_VEC_PUSH(c->exemptions);
        if (!e) {
            vpr_pdf_nomem(c);
            return;
        }
        *e = (pdf_exemption){vpr_pdf_strdup(c, f->resource_id), vpr_pdf_strdup(c, f->resource_name),
                             vpr_pdf_strdup(c, vp_finding_status_name(f->status)), vpr_pdf_strdup(c, f->observed),
                             f->note ? vpr_pdf_strdup(c, f->note) : NULL};
    }
}

/* ---- one exception ---- */

/* Appends a formatted, NUL-terminated string to c->text; returns its offset. */
static size_t put(pdf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t put(pdf_ctx *c, const char *fmt, ...)
{
    size_t off = c->text.len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || vpr_pdf_buf_reserve(c, &c->text, (size_t)n + 1))
        return off;
    va_start(ap, fmt);
    vsnprintf(c->text.s + off, (size_t)n + 1, fmt, ap);
    va_end(ap);
    c->text.len += (size_t)n + 1;
    return off;
}

static void part(pdf_cell *cell, const char *text, int font, const pdf_rgb *color, float size)
{
    if (cell->nparts < PDF_MAX_PARTS)
        cell->parts[cell->nparts++] = (pdf_part){text, font, -1, color, size};
}

static const pdf_col detailed_cols[] = {{"Status", 70, PF_BOLD, PA_LEFT}, {"Finding", PDF_WIDTH - 70, PF_SANS, PA_LEFT}};
/* Severity is the rule's: it is in the rule's heading, not repeated on each compact row. */
static const pdf_col compact_cols[] = {{"Status", 66, PF_BOLD, PA_LEFT}, {"Resource", 116, PF_SANS, PA_LEFT},
                                       {"Observed \xE2\x86\x92 expected", 200, PF_SANS, PA_LEFT},
                                       {"Evidence (snapshot)", PDF_WIDTH - 382, PF_MONO, PA_LEFT}};

static void status_cell(pdf_cell *cell, const vp_finding_record *f)
{
    *cell = vpr_pdf_cell_text(vpr_pdf_status_label((int)f->status));
    cell->parts[0].status = (int)f->status;
    cell->parts[0].color = vpr_pdf_status_color((int)f->status);
}

/* The resource as the population names it: an in-VM database also names its server and
 * instance (vpr_item_display_name), not "master" alone. Written into name (the caller's,
 * alive while the row is laid out) rather than kept: the report lists a row per failing
 * finding, 58 MB of names at a million items. */
static const char *resource_label(pdf_ctx *c, const vp_finding_record *f, char name[512])
{
    const vp_item *it = f->resource_type && !strcmp(f->resource_type, "protected_item") && f->resource_id
                            ? vp_snapshot_find_item(c->snap, f->resource_id)
                            : NULL;
    if (it)
        return vpr_item_display_name(it, name, 512);
    return f->resource_name ? f->resource_name : f->resource_id;
}

/* Offsets into c->text become pointers only once every string of the row is written
 * (the buffer may move while it grows). */
#define AT(off) (c->text.s + (off))

/* A failing finding's first seen and owner (render/exceptions.h), in c->text. */
static size_t follow_up(pdf_ctx *c, const vp_finding_record *f)
{
    const char *from;
    const char *owner = vpr_owner(c->in, f->resource_id, &from);
    return put(c, "First seen: %s \xC2\xB7 Owner: %s%s%s%s", vpr_first_seen(c->in, f->rule, f->resource_id), owner,
               from ? " (tag on its " : "", from ? from : "", from ? ")" : "");
}

static void detailed_row(pdf_ctx *c, pass_state *ps, const vp_finding_record *f)
{
    pdf_cell cells[2];
    char label[512];
    c->text.len = 0;
    size_t name = put(c, "%s \xC2\xB7 %s", vpr_pdf_nz(resource_label(c, f, label)), vpr_pdf_nz(f->resource_type));
    size_t id = put(c, "%s", vpr_pdf_nz(f->resource_id));
    size_t obs = put(c, "Observed: %s\nExpected: %s", f->observed ? f->observed : "not recorded",
                     f->expected ? f->expected : "not recorded");
    size_t note = f->note ? put(c, "Note: %s", f->note) : 0;
    size_t ex = f->exempted ? put(c, "Exemption #%lld (%s), approved by %s, expires %s: %s", f->exemption_index,
                                  vpr_pdf_nz(f->exemption_resource), vpr_pdf_nz(f->exemption_approver),
                                  vpr_pdf_nz(f->exemption_expires), vpr_pdf_nz(f->exemption_reason))
                            : 0;
    size_t ev = put(c, "snapshot %s\nraw %s", f->evidence_snapshot ? f->evidence_snapshot : "\xE2\x80\x94",
                    f->evidence_raw ? f->evidence_raw : "\xE2\x80\x94");
    size_t next = f->status == VP_FAIL ? follow_up(c, f) : 0;
    if (c->status)
        return;
    status_cell(&cells[0], f);
    part(&cells[0], f->severity, PF_SANS, &vpr_pdf_muted, 6.5f);
    memset(&cells[1], 0, sizeof cells[1]);
    part(&cells[1], AT(name), PF_BOLD, NULL, 7.5f);
    part(&cells[1], AT(id), PF_MONO, &vpr_pdf_muted, 5.8f);
    part(&cells[1], AT(obs), PF_SANS, NULL, 7);
    if (f->note)
        part(&cells[1], AT(note), PF_SANS, &vpr_pdf_muted, 6.5f);
    if (f->exempted)
        part(&cells[1], AT(ex), PF_SANS, vpr_pdf_status_color(VP_EXEMPT), 6.5f);
    if (f->status == VP_FAIL)
        part(&cells[1], AT(next), PF_SANS, NULL, 6.5f);
    part(&cells[1], AT(ev), PF_MONO, &vpr_pdf_muted, 5.8f);
    vpr_pdf_table_row(c, &ps->table, cells);
}

static void compact_row(pdf_ctx *c, pass_state *ps, const vp_finding_record *f)
{
    pdf_cell cells[4];
    char label[512];
    c->text.len = 0;
    size_t obs = put(c, "%s \xE2\x86\x92 %s", f->observed ? f->observed : "not recorded",
                     f->expected ? f->expected : "not recorded");
    size_t ex = f->exempted ? put(c, "exemption #%lld until %s (%s)", f->exemption_index, vpr_pdf_nz(f->exemption_expires),
                                  vpr_pdf_nz(f->exemption_approver))
                            : 0;
    size_t next = f->status == VP_FAIL ? follow_up(c, f) : 0;
    if (c->status)
        return;
    status_cell(&cells[0], f);
    cells[1] = vpr_pdf_cell_text(resource_label(c, f, label));
    if (f->status == VP_FAIL)
        part(&cells[1], AT(next), PF_SANS, &vpr_pdf_muted, 5.8f);
    cells[2] = vpr_pdf_cell_text(AT(obs));
    if (f->exempted)
        part(&cells[2], AT(ex), PF_SANS, vpr_pdf_status_color(VP_EXEMPT), 6);
    else if (f->status == VP_EXEMPT && f->note) /* hyper-care: the note says until when */
        part(&cells[2], f->note, PF_SANS, vpr_pdf_status_color(VP_EXEMPT), 6);
    cells[3] = vpr_pdf_cell_text(f->evidence_snapshot ? f->evidence_snapshot : f->evidence_raw);
    cells[3].parts[0].size = 5.8f;
    vpr_pdf_table_row(c, &ps->table, cells);
}

static void rule_heading(pdf_ctx *c, pass_state *ps, size_t rule, const vp_finding_record *f)
{
    if (ps->in_table)
        vpr_pdf_table_end(c, &ps->table);
    const vp_rule_record *r = rule < ps->nrules ? &ps->rules[rule] : NULL;
    vpr_pdf_heading(c, 1, vpr_pdf_printf(c, "%s \xE2\x80\x94 %s", f->rule, r ? vpr_pdf_nz(r->title) : ""), 0);
    if (r) {
        const char *cites = "";
        for (size_t i = 0; i < r->citation_count; i++)
            cites = vpr_pdf_printf(c, "%s%s%s", cites, i ? "; " : "", r->citations[i]);
        vpr_pdf_para(c, PF_SANS, 7, &vpr_pdf_muted,
                 vpr_pdf_printf(c, "Severity %s \xC2\xB7 %s fail, %s warn, %s incomplete, %s exempt \xC2\xB7 %s",
                            vpr_pdf_nz(r->severity), vpr_pdf_count(c, r->counts[VP_FAIL]), vpr_pdf_count(c, r->counts[VP_WARN]),
                            vpr_pdf_count(c, r->counts[VP_INCOMPLETE]), vpr_pdf_count(c, r->counts[VP_EXEMPT]), cites));
    }
    /* once per rule, not on every row: a rule can fail on thousands of items; an
     * accepted (exempted) finding needs no fix */
    const char *fix = ps->list == LIST_FAILURES ? vpr_remediation(c->in, f->rule) : NULL;
    if (fix)
        vpr_pdf_para(c, PF_SANS, 7, NULL, vpr_pdf_printf(c, "Remediation: %s", fix));
    if (c->compact) {
        vpr_pdf_table_begin(c, &ps->table, compact_cols, 4, 6.5f);
        ps->table.no_rules = 1; /* zebra rows suffice; tens of thousands of hairlines do not */
    }
    else
        vpr_pdf_table_begin(c, &ps->table, detailed_cols, 2, PDF_TABLE_SIZE);
    ps->in_table = 1;
}

/* Where first seen and owner come from, and every earlier bundle first seen could not use. */
static void follow_up_intro(pdf_ctx *c)
{
    size_t read, left_out, other_org, nnotes;
    const char *const *notes = vp_history_notes(c->in->history, &nnotes);
    vp_history_counts(c->in->history, &read, &left_out, &other_org);
    const char *left = left_out ? vpr_pdf_printf(c, "; %s could not be used (named below)", vpr_pdf_count(c, left_out)) : "";
    if (other_org) /* same archive, another organization's findings: never compared */
        left = vpr_pdf_printf(c, "%s; %s of another organization not compared", left, vpr_pdf_count(c, other_org));
    const char *vars[] = {"read", vpr_pdf_count(c, read), "left_out", left, "tag", vpr_owner_tag(c->in), NULL};
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL,
                 c->in->history ? vpr_pdf_tf(c, "/sections/exceptions/first_seen", vars)
                                : vpr_pdf_t(c, "/sections/exceptions/first_seen_unknown"));
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_tf(c, "/sections/exceptions/owner", vars));
    for (size_t i = 0; i < nnotes; i++) {
        const char *nv[] = {"note", notes[i], NULL};
        vpr_pdf_para(c, PF_SANS, 7, &vpr_pdf_muted, vpr_pdf_tf(c, "/sections/exceptions/left_out", nv));
    }
}

/* The texts of each list, under /sections/<key>/ of templates/report/report.json. */
static const char *const list_key[] = {[LIST_FAILURES] = "exceptions", [LIST_EXEMPT] = "exempted"};

static void intro(pdf_ctx *c, int list, size_t count)
{
    const char *n = vpr_pdf_count(c, count), *limit = vpr_pdf_count(c, c->population_limit);
    const char *workbook = c->in->xlsx_name ? vpr_pdf_printf(c, " and in the workbook %s", c->in->xlsx_name) : "";
    const char *vars[] = {"count", n, "limit", limit, "findings", vpr_pdf_nz(c->in->findings_label),
                          "findings_sha256", c->in->findings_sha256 ? c->in->findings_sha256 : "not given",
                          "workbook", workbook, NULL};
    const char *key = list_key[list];
    vpr_pdf_section(c, vpr_pdf_t(c, vpr_pdf_printf(c, "/sections/%s/title", key)));
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, vpr_pdf_printf(c, "/sections/%s/intro", key)));
    if (c->compact)
        vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_tf(c, vpr_pdf_printf(c, "/sections/%s/compact", key), vars));
    if (!count)
        vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, &vpr_pdf_muted, vpr_pdf_t(c, vpr_pdf_printf(c, "/sections/%s/none", key)));
    else if (list == LIST_FAILURES && c->hdr->counts[VP_FAIL])
        follow_up_intro(c);
}

/* One list: its section, then one pass over the findings. The first pass also keeps the
 * exemption register. */
static void list_pass(pdf_ctx *c, int list, size_t count)
{
    pass_state ps;
    memset(&ps, 0, sizeof ps);
    ps.list = list;
    c->compact = count > c->population_limit;
    intro(c, list, count);
    if (c->status)
        return;
    rules_begin(c, &ps);
    /* the list's statuses, and with the failures the register's findings */
    unsigned mask = 0;
    for (int s = 0; s < VP_STATUS_COUNT; s++)
        mask |= in_list(list, (vp_finding_status)s) ? 1u << s : 0;
    vp_findings_file_rewind_only(c->ff, mask, list == LIST_FAILURES ? register_rule : NULL);
    for (;;) {
        const vp_finding_record *f;
        vp_status st = vp_findings_file_next(c->ff, &f, c->err);
        if (st != VP_OK) {
            c->status = st;
            break;
        }
        if (!f || c->status)
            break;
        if ((unsigned)f->status >= VP_STATUS_COUNT)
            continue;
        size_t rule = find_rule(&ps, f->rule);
        if (list == LIST_FAILURES)
            keep_exemption(c, f);
        if (!in_list(list, f->status))
            continue;
        if (!ps.in_table || rule != ps.current)
            rule_heading(c, &ps, rule, f);
        ps.current = rule;
        if (c->compact)
            compact_row(c, &ps, f);
        else
            detailed_row(c, &ps, f);
        ps.shown++;
    }
    if (ps.in_table)
        vpr_pdf_table_end(c, &ps.table);
}

void vpr_pdf_exceptions(pdf_ctx *c)
{
    const size_t *n = c->hdr->counts;
    c->exceptions = n[VP_WARN] + n[VP_FAIL] + n[VP_INCOMPLETE];
    list_pass(c, LIST_FAILURES, c->exceptions);
    list_pass(c, LIST_EXEMPT, n[VP_EXEMPT]);
}
