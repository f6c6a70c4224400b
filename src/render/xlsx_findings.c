/* Controls, Rules, Findings and Exemptions: what evaluate decided, laid out for testing.
 *
 * The findings are streamed from findings.json one at a time (a large estate has
 * hundreds of thousands) straight into the Findings sheet; on the way they are counted
 * per vault for the Summary, and the configured exemptions are gathered from the
 * exemption.valid findings and from the findings they exempted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/exceptions.h"
#include "render/xlsx_internal.h"

enum {
    C_FRAMEWORK, C_CITATION, C_TITLE, C_RESULT, C_OK, C_OF, C_RULE, C_RULE_TITLE, C_SEVERITY, C_RULE_RESULT,
    C_TOTAL, C_COUNTS, C_RULE_OK = C_COUNTS + VP_STATUS_COUNT, C_RULE_OF, C_NCOLS
};

static const xlsx_col control_cols[C_NCOLS] = {
    [C_FRAMEWORK] = {"Framework", XC_ID, 0},
    [C_CITATION] = {"Citation", XC_ID, 0},
    [C_TITLE] = {"Control", XC_TEXT, 0},
    [C_RESULT] = {"Control result", XC_TEXT, XP_FINDING},
    [C_OK] = {"Control operated effectively (snapshots)", XC_NUM, 0},
    [C_OF] = {"Of snapshots", XC_NUM, 0},
    [C_RULE] = {"Rule", XC_ID, 0},
    [C_RULE_TITLE] = {"Rule title", XC_TEXT, 0},
    [C_SEVERITY] = {"Severity", XC_TEXT, 0},
    [C_RULE_RESULT] = {"Rule result", XC_TEXT, XP_FINDING},
    [C_TOTAL] = {"Findings", XC_NUM, 0},
    [C_COUNTS + VP_PASS] = {"Pass", XC_NUM, 0},
    [C_COUNTS + VP_WARN] = {"Warn", XC_NUM, 0},
    [C_COUNTS + VP_FAIL] = {"Fail", XC_NUM, 0},
    [C_COUNTS + VP_NOT_APPLICABLE] = {"Not applicable", XC_NUM, 0},
    [C_COUNTS + VP_EXEMPT] = {"Exempt", XC_NUM, 0},
    [C_COUNTS + VP_INCOMPLETE] = {"Incomplete", XC_NUM, 0},
    [C_RULE_OK] = {"Rule operated effectively (snapshots)", XC_NUM, 0},
    [C_RULE_OF] = {"Of snapshots", XC_NUM, 0},
};

static const vp_rule_record *find_rule(const vp_rule_record *rules, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rules[i].id, id) == 0)
            return &rules[i];
    return NULL;
}

/* The snapshots the control or rule operated in, or "not tested" (vp_tally_has_evidence). */
static void operated(xlsx_pop *p, size_t ok_col, size_t of_col, const size_t *counts, size_t ok, size_t of)
{
    if (!vp_tally_has_evidence(counts, of)) {
        vpr_xlsx_text(p, ok_col, "not tested");
        return;
    }
    vpr_xlsx_num(p, ok_col, (double)ok);
    vpr_xlsx_num(p, of_col, (double)of);
}

static void control_row(xlsx_pop *p, const vp_control_record *c, const vp_rule_record *r, const char *rule_id)
{
    size_t total = 0;
    if (vpr_xlsx_pop_row(p))
        return;
    vpr_xlsx_text(p, C_FRAMEWORK, c->framework);
    vpr_xlsx_text(p, C_CITATION, c->citation);
    vpr_xlsx_text(p, C_TITLE, c->title);
    vpr_xlsx_text(p, C_RESULT, c->result);
    operated(p, C_OK, C_OF, c->counts, c->operated_ok, c->operated_of);
    vpr_xlsx_text(p, C_RULE, rule_id);
    if (!r)
        return;
    vpr_xlsx_text(p, C_RULE_TITLE, r->title);
    vpr_xlsx_text(p, C_SEVERITY, r->severity);
    vpr_xlsx_text(p, C_RULE_RESULT, r->result);
    for (int s = 0; s < VP_STATUS_COUNT; s++) {
        vpr_xlsx_num(p, C_COUNTS + (size_t)s, (double)r->counts[s]);
        total += r->counts[s];
    }
    vpr_xlsx_num(p, C_TOTAL, (double)total);
    operated(p, C_RULE_OK, C_RULE_OF, r->counts, r->operated_ok, r->operated_of);
}

/* One row per control and rule mapped to it (a control without rules keeps one row). */
void vpr_xlsx_write_controls(xlsx_ctx *x)
{
    size_t nc, nr, rows = 0;
    const vp_control_record *controls = vp_findings_file_controls(x->in->findings, &nc);
    const vp_rule_record *rules = vp_findings_file_rules(x->in->findings, &nr);
    xlsx_pop p;
    for (size_t i = 0; i < nc; i++)
        rows += controls[i].rule_count ? controls[i].rule_count : 1;
    if (vpr_xlsx_pop_begin(&p, x, "Controls", control_cols, NULL, C_NCOLS, rows))
        return;
    for (size_t i = 0; i < nc && !x->status; i++) {
        const vp_control_record *c = &controls[i];
        if (!c->rule_count)
            control_row(&p, c, NULL, NULL);
        for (size_t k = 0; k < c->rule_count; k++)
            control_row(&p, c, find_rule(rules, nr, c->rules[k]), c->rules[k]);
    }
    vpr_xlsx_pop_end(&p);
}

enum { R_RULE, R_TITLE, R_SEVERITY, R_CITATIONS, R_NCOLS };

static const xlsx_col rule_cols[R_NCOLS] = {
    [R_RULE] = {"Rule", XC_ID, 0},
    [R_TITLE] = {"Rule title", XC_TEXT, 0},
    [R_SEVERITY] = {"Severity", XC_TEXT, 0},
    [R_CITATIONS] = {"Citations", XC_TEXT, 0},
};

/* The lookup of a finding's citations: one row per rule of the findings file, keyed by
 * the Rule column that every Findings row carries. */
void vpr_xlsx_write_rules(xlsx_ctx *x)
{
    size_t nr;
    const vp_rule_record *rules = vp_findings_file_rules(x->in->findings, &nr);
    xlsx_pop p;
    if (vpr_xlsx_pop_begin(&p, x, "Rules", rule_cols, NULL, R_NCOLS, nr))
        return;
    for (size_t i = 0; i < nr && !vpr_xlsx_pop_row(&p); i++) {
        vpr_xlsx_text(&p, R_RULE, rules[i].id);
        vpr_xlsx_text(&p, R_TITLE, rules[i].title);
        vpr_xlsx_text(&p, R_SEVERITY, rules[i].severity);
        vpc_buf_clear(&x->buf);
        for (size_t k = 0; k < rules[i].citation_count; k++) {
            vpr_xlsx_sep(&x->buf, "; ");
            vpc_buf_adds(&x->buf, rules[i].citations[k]);
        }
        vpr_xlsx_text(&p, R_CITATIONS, vpc_buf_str(&x->buf));
    }
    vpr_xlsx_pop_end(&p);
}

enum {
    F_RULE = XLSX_FINDINGS_RULE_COL, F_STATUS = XLSX_FINDINGS_STATUS_COL, F_SEVERITY, F_TYPE, F_NAME, F_VAULT,
    F_OBSERVED, F_EXPECTED, F_NOTE, F_EX_INDEX, F_EX_APPROVER, F_EX_EXPIRES, F_EX_REASON, F_ID,
    F_EV_SNAPSHOT, F_EV_RAW, F_NCOLS
};

static const xlsx_col finding_cols[F_NCOLS] = {
    [F_RULE] = {"Rule", XC_ID, 0},
    [F_STATUS] = {"Status", XC_TEXT, XP_FINDING},
    [F_SEVERITY] = {"Severity", XC_TEXT, 0},
    [F_TYPE] = {"Resource type", XC_TEXT, 0},
    [F_NAME] = {"Resource", XC_TEXT, 0},
    [F_VAULT] = {"Vault", XC_TEXT, 0},
    [F_OBSERVED] = {"Observed", XC_TEXT, 0},
    [F_EXPECTED] = {"Expected", XC_TEXT, 0},
    [F_NOTE] = {"Note", XC_TEXT, 0},
    [F_EX_INDEX] = {"Exemption #", XC_NUM, 0},
    [F_EX_APPROVER] = {"Exemption approver", XC_TEXT, 0},
    [F_EX_EXPIRES] = {"Exemption expires", XC_DATE, 0},
    [F_EX_REASON] = {"Exemption reason", XC_TEXT, 0},
    [F_ID] = {"Resource id", XC_ID, 0},
    [F_EV_SNAPSHOT] = {"Evidence in snapshot (JSON pointer)", XC_ID, 0},
    [F_EV_RAW] = {"Evidence in raw responses (file#pointer)", XC_ID, 0},
};

static char *dup_or_null(xlsx_ctx *x, const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        vpr_xlsx_fail(x, VP_ERR_NOMEM, "out of memory");
    return d;
}

static void keep(xlsx_ctx *x, char **slot, const char *s)
{
    if (!*slot)
        *slot = dup_or_null(x, s);
}

/* The exemption register, gathered from the findings: an exemption.valid finding per
 * configured exemption ("exemptions[i]"), and the details every exempted finding carries. */
static void note_exemption(xlsx_ctx *x, const vp_finding_record *r)
{
    size_t i;
    char tail;
    if (strcmp(r->rule, "exemption.valid") == 0 && r->resource_id &&
        sscanf(r->resource_id, "exemptions[%zu%c", &i, &tail) == 2 && tail == ']' && i < x->exemption_count) {
        xlsx_exemption *e = &x->exemptions[i];
        e->seen = 1;
        e->validity = r->status;
        keep(x, &e->label, r->resource_name);
        keep(x, &e->observed, r->observed);
        keep(x, &e->note, r->note);
        keep(x, &e->evidence, r->evidence_raw);
    }
    if (r->exempted && r->exemption_index >= 0 && (size_t)r->exemption_index < x->exemption_count) {
        xlsx_exemption *e = &x->exemptions[r->exemption_index];
        if (r->status == VP_EXEMPT)
            e->exempted++;
        if (strcmp(r->rule, "exemption.valid") != 0)
            keep(x, &e->rule, r->rule);
        keep(x, &e->resource, r->exemption_resource);
        keep(x, &e->reason, r->exemption_reason);
        keep(x, &e->approver, r->exemption_approver);
        keep(x, &e->expires, r->exemption_expires);
    }
}

/* A finding's citations are its rule's (evaluate maps citations to rules), so the
 * workbook shows them once per rule on the Rules sheet instead of on each of hundreds of
 * thousands of rows. A findings file where they differ cannot be shown that way: it is
 * refused rather than shown with citations it does not carry. Findings come grouped by
 * rule, so the last rule found is tried first. Returns 0 (x->status set) on a mismatch. */
static int citations_as_rule(xlsx_ctx *x, const vp_finding_record *r)
{
    size_t nr;
    const vp_rule_record *rules = vp_findings_file_rules(x->in->findings, &nr);
    const vp_rule_record *rule = x->last_rule;
    if (!rule || strcmp(rule->id, r->rule) != 0)
        rule = x->last_rule = find_rule(rules, nr, r->rule);
    size_t want = rule ? rule->citation_count : 0;
    int same = r->citation_count == want;
    for (size_t k = 0; same && k < want; k++)
        same = strcmp(r->citations[k], rule->citations[k]) == 0;
    if (!same)
        vpr_xlsx_fail(x, VP_ERR_INPUT,
                      "%s: a finding of rule %s on %s cites other citations than /rules gives for %s; the workbook "
                      "shows citations once per rule (Rules sheet), so each finding must cite its rule's",
                      x->in->findings_label ? x->in->findings_label : "findings", r->rule,
                      r->resource_id ? r->resource_id : "(no resource)", r->rule);
    return same;
}

/* One finding's row, on the Findings sheet or the Exempted Findings sheet; v is the
 * index of its vault (vp_tally_vault_of). */
static void finding_row(xlsx_ctx *x, xlsx_pop *p, const vp_finding_record *r, size_t v)
{
    const vp_snapshot *s = x->in->snapshot;
    if (vpr_xlsx_pop_row(p))
        return;
    vpr_xlsx_text(p, F_RULE, r->rule);
    vpr_xlsx_text(p, F_STATUS, vp_finding_status_name(r->status));
    vpr_xlsx_text(p, F_SEVERITY, r->severity);
    vpr_xlsx_text(p, F_TYPE, r->resource_type);
    vpr_xlsx_text(p, F_NAME, r->resource_name);
    if (v < s->vault_count)
        vpr_xlsx_text(p, F_VAULT, s->vaults[v].name);
    vpr_xlsx_text(p, F_OBSERVED, r->observed);
    vpr_xlsx_text(p, F_EXPECTED, r->expected);
    vpr_xlsx_text(p, F_NOTE, r->note);
    if (!citations_as_rule(x, r))
        return;
    if (r->exempted) {
        vpr_xlsx_num(p, F_EX_INDEX, (double)r->exemption_index);
        vpr_xlsx_text(p, F_EX_APPROVER, r->exemption_approver);
        vpr_xlsx_time(p, F_EX_EXPIRES, r->exemption_expires);
        vpr_xlsx_text(p, F_EX_REASON, r->exemption_reason);
    }
    vpr_xlsx_text(p, F_ID, r->resource_id);
    vpr_xlsx_text(p, F_EV_SNAPSHOT, r->evidence_snapshot);
    vpr_xlsx_text(p, F_EV_RAW, r->evidence_raw);
}

int vpr_xlsx_findings_begin(xlsx_ctx *x, xlsx_pop *p)
{
    vp_findings_file_rewind(x->in->findings);
    return vpr_xlsx_pop_begin(p, x, "Findings", finding_cols, NULL, F_NCOLS, x->hdr->finding_count);
}

void vpr_xlsx_findings_rows(xlsx_ctx *x, xlsx_pop *p)
{
    vp_findings_file *ff = x->in->findings;
    const vp_finding_record *r;
    while (!x->status) {
        vp_status st = vp_findings_file_next(ff, &r, x->err);
        if (st) {
            x->status = st; /* the reader's message names the file, line and pointer */
            break;
        }
        if (!r)
            break;
        if ((unsigned)r->status >= VP_STATUS_COUNT) {
            vpr_xlsx_fail(x, VP_ERR_INTERNAL, "XLSX: finding %zu has no known status", p->written + 1);
            break;
        }
        if (p->written == p->expected) {
            vpr_xlsx_fail(x, VP_ERR_INPUT, "%s: more findings than /summary/findings says (%zu)",
                      x->in->findings_label ? x->in->findings_label : "findings", p->expected);
            break;
        }
        size_t v = vp_tally_vault_of(x->in->snapshot, r->resource_id);
        finding_row(x, p, r, v);
        vp_tally_add(&x->tally, v, r->status); /* the tally was built without them (xlsx.c) */
        note_exemption(x, r);
    }
    if (!x->status && p->written != p->expected)
        vpr_xlsx_fail(x, VP_ERR_INPUT, "%s: %zu findings, but /summary/findings says %zu",
                  x->in->findings_label ? x->in->findings_label : "findings", p->written, p->expected);
    x->findings_rows = p->written;
    vpr_xlsx_pop_end(p);
}

void vpr_xlsx_write_findings(xlsx_ctx *x)
{
    xlsx_pop p;
    if (!vpr_xlsx_findings_begin(x, &p))
        vpr_xlsx_findings_rows(x, &p);
}

/* ---- Exceptions and Remediation: what an auditor asks next about a failing finding ---- */

enum { X_RULE, X_SEVERITY, X_NAME, X_VAULT, X_OWNER, X_OWNER_FROM, X_FIRST_SEEN, X_OBSERVED, X_ID, X_EV_SNAPSHOT,
       X_NCOLS };

static const xlsx_col exception_cols[X_NCOLS] = {
    [X_RULE] = {"Rule", XC_ID, 0},
    [X_SEVERITY] = {"Severity", XC_TEXT, 0},
    [X_NAME] = {"Resource", XC_TEXT, 0},
    [X_VAULT] = {"Vault", XC_TEXT, 0},
    [X_OWNER] = {"Owner", XC_TEXT, 0}, /* the header names the tag: see write_exceptions */
    [X_OWNER_FROM] = {"Owner tag read from", XC_TEXT, 0},
    [X_FIRST_SEEN] = {"First seen (UTC)", XC_TEXT, 0},
    [X_OBSERVED] = {"Observed", XC_TEXT, 0},
    [X_ID] = {"Resource id", XC_ID, 0},
    [X_EV_SNAPSHOT] = {"Evidence in snapshot (JSON pointer)", XC_ID, 0},
};

static void exception_row(xlsx_ctx *x, xlsx_pop *p, const vp_finding_record *r)
{
    const vp_snapshot *s = x->in->snapshot;
    const char *from;
    size_t v = vp_tally_vault_of(s, r->resource_id);
    if (vpr_xlsx_pop_row(p))
        return;
    vpr_xlsx_text(p, X_RULE, r->rule);
    vpr_xlsx_text(p, X_SEVERITY, r->severity);
    vpr_xlsx_text(p, X_NAME, r->resource_name);
    if (v < s->vault_count)
        vpr_xlsx_text(p, X_VAULT, s->vaults[v].name);
    vpr_xlsx_text(p, X_OWNER, vpr_owner(x->in, r->resource_id, &from));
    vpr_xlsx_text(p, X_OWNER_FROM, from);
    vpr_xlsx_text(p, X_FIRST_SEEN, vpr_first_seen(x->in, r->rule, r->resource_id));
    vpr_xlsx_text(p, X_OBSERVED, r->observed);
    vpr_xlsx_text(p, X_ID, r->resource_id);
    vpr_xlsx_text(p, X_EV_SNAPSHOT, r->evidence_snapshot);
}

/* Every failing finding (status fail; exemptions and warnings are on Findings and
 * Exemptions), in file order: a second pass over the findings stream. */
void vpr_xlsx_write_exceptions(xlsx_ctx *x)
{
    const char *headers[X_NCOLS];
    char owner[LXW_SHEETNAME_MAX + 600];
    const vp_finding_record *r;
    xlsx_pop p;
    for (size_t i = 0; i < X_NCOLS; i++)
        headers[i] = exception_cols[i].header;
    snprintf(owner, sizeof owner, "Owner (tag %s)", vpr_owner_tag(x->in));
    headers[X_OWNER] = owner;
    vp_findings_file_rewind_only(x->in->findings, 1u << VP_FAIL, NULL);
    if (vpr_xlsx_pop_begin(&p, x, "Exceptions", exception_cols, headers, X_NCOLS, x->hdr->counts[VP_FAIL]))
        return;
    while (!x->status) {
        vp_status st = vp_findings_file_next(x->in->findings, &r, x->err);
        if (st)
            x->status = st;
        if (st || !r)
            break;
        if (r->status == VP_FAIL)
            exception_row(x, &p, r);
    }
    vpr_xlsx_pop_end(&p);
}

enum { M_RULE, M_TITLE, M_SEVERITY, M_FAILING, M_REMEDIATION, M_NCOLS };

static const xlsx_col remediation_cols[M_NCOLS] = {
    [M_RULE] = {"Rule", XC_ID, 0},
    [M_TITLE] = {"Rule title", XC_TEXT, 0},
    [M_SEVERITY] = {"Severity", XC_TEXT, 0},
    [M_FAILING] = {"Failing findings", XC_NUM, 0},
    [M_REMEDIATION] = {"Remediation", XC_TEXT, 0},
};

/* The remediation once per rule with failing findings, not on each Exceptions row. */
void vpr_xlsx_write_remediation(xlsx_ctx *x)
{
    size_t nr, rows = 0;
    const vp_rule_record *rules = vp_findings_file_rules(x->in->findings, &nr);
    xlsx_pop p;
    for (size_t i = 0; i < nr; i++)
        rows += rules[i].counts[VP_FAIL] > 0;
    if (vpr_xlsx_pop_begin(&p, x, "Remediation", remediation_cols, NULL, M_NCOLS, rows))
        return;
    for (size_t i = 0; i < nr && !x->status; i++) {
        if (!rules[i].counts[VP_FAIL] || vpr_xlsx_pop_row(&p))
            continue;
        vpr_xlsx_text(&p, M_RULE, rules[i].id);
        vpr_xlsx_text(&p, M_TITLE, rules[i].title);
        vpr_xlsx_text(&p, M_SEVERITY, rules[i].severity);
        vpr_xlsx_num(&p, M_FAILING, (double)rules[i].counts[VP_FAIL]);
        vpr_xlsx_text(&p, M_REMEDIATION, vpr_remediation(x->in, rules[i].id));
    }
    vpr_xlsx_pop_end(&p);
}

enum { E_INDEX, E_RULE, E_RESOURCE, E_APPROVER, E_REASON, E_EXPIRES, E_VALID, E_NOTE, E_EXEMPTED, E_STATED,
       E_EVIDENCE, E_NCOLS };

static const xlsx_col exemption_cols[E_NCOLS] = {
    [E_INDEX] = {"Exemption #", XC_NUM, 0},
    [E_RULE] = {"Rule", XC_ID, 0},
    [E_RESOURCE] = {"Resource", XC_TEXT, 0},
    [E_APPROVER] = {"Approver", XC_TEXT, 0},
    [E_REASON] = {"Reason", XC_TEXT, 0},
    [E_EXPIRES] = {"Expires", XC_DATE, 0},
    [E_VALID] = {"Validity (exemption.valid)", XC_TEXT, XP_FINDING},
    [E_NOTE] = {"Validity note", XC_TEXT, 0},
    [E_EXEMPTED] = {"Findings exempted", XC_NUM, 0},
    [E_STATED] = {"As evaluated", XC_TEXT, 0},
    [E_EVIDENCE] = {"Evidence (config)", XC_ID, 0},
};

/* "rule / resource", the exemption.valid finding's resource name, split in two: the
 * fallback for an exemption that exempted nothing (so no finding carried its fields). */
static void split_label(xlsx_ctx *x, xlsx_exemption *e)
{
    const char *sep = e->label ? strstr(e->label, " / ") : NULL;
    if (!sep)
        return;
    if (!e->rule) {
        e->rule = strndup(e->label, (size_t)(sep - e->label));
        if (!e->rule)
            vpr_xlsx_fail(x, VP_ERR_NOMEM, "out of memory");
    }
    keep(x, &e->resource, sep + 3);
}

void vpr_xlsx_write_exemptions(xlsx_ctx *x)
{
    xlsx_pop p;
    if (vpr_xlsx_pop_begin(&p, x, "Exemptions", exemption_cols, NULL, E_NCOLS, x->exemption_count))
        return;
    for (size_t i = 0; i < x->exemption_count && !vpr_xlsx_pop_row(&p); i++) {
        xlsx_exemption *e = &x->exemptions[i];
        split_label(x, e);
        vpr_xlsx_num(&p, E_INDEX, (double)i);
        vpr_xlsx_text(&p, E_RULE, e->rule);
        vpr_xlsx_text(&p, E_RESOURCE, e->resource);
        vpr_xlsx_text(&p, E_APPROVER, e->approver);
        vpr_xlsx_text(&p, E_REASON, e->reason);
        vpr_xlsx_time(&p, E_EXPIRES, e->expires);
        if (e->seen)
            vpr_xlsx_text(&p, E_VALID, vp_finding_status_name(e->validity));
        vpr_xlsx_text(&p, E_NOTE, e->note);
        vpr_xlsx_num(&p, E_EXEMPTED, (double)e->exempted);
        vpr_xlsx_text(&p, E_STATED, e->observed);
        vpr_xlsx_text(&p, E_EVIDENCE, e->evidence);
    }
    vpr_xlsx_pop_end(&p);
}

/* The exempted findings on a sheet of their own, apart from every list of failures: a
 * second pass over the findings (they are streamed, never held), after the Findings sheet
 * is complete. The Findings sheet keeps them too: it is every finding, whatever its status. */
void vpr_xlsx_write_exempted(xlsx_ctx *x)
{
    vp_findings_file *ff = x->in->findings;
    const vp_finding_record *r;
    xlsx_pop p;
    if (vpr_xlsx_pop_begin(&p, x, "Exempted Findings", finding_cols, NULL, F_NCOLS, x->hdr->counts[VP_EXEMPT]))
        return;
    vp_findings_file_rewind_only(ff, 1u << VP_EXEMPT, NULL);
    while (!x->status) {
        vp_status st = vp_findings_file_next(ff, &r, x->err);
        if (st) {
            x->status = st;
            break;
        }
        if (!r)
            break;
        if (r->status == VP_EXEMPT)
            finding_row(x, &p, r, vp_tally_vault_of(x->in->snapshot, r->resource_id));
    }
    vpr_xlsx_pop_end(&p);
}
