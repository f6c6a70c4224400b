/* Small pieces shared by the workbook's sheets: joined strings, status colours, and
 * finding a resource's vault. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vaultproof/evaluate.h" /* vp_result_of: the one roll-up rule, shared with evaluate */
#include "render/xlsx_internal.h"

void vpr_xlsx_sep(vpc_buf *b, const char *sep)
{
    if (b->len)
        vpc_buf_adds(b, sep);
}

/* ---- texts ---- */

const char *vpr_xlsx_t(xlsx_ctx *x, const char *pointer)
{
    const char *s = vpr_texts_string(x->texts, pointer);
    if (!s) /* a missing text is a bug of the template, never a silently empty cell */
        vpr_xlsx_fail(x, VP_ERR_INTERNAL, "%s: no text at %s", vpr_texts_label(x->texts), pointer);
    return s ? s : "";
}

int vpr_xlsx_t_exists(xlsx_ctx *x, const char *pointer)
{
    if (vpr_texts_node(x->texts, pointer))
        return 1;
    vpr_xlsx_fail(x, VP_ERR_INTERNAL, "%s: no text at %s", vpr_texts_label(x->texts), pointer);
    return 0;
}

const char *vpr_xlsx_t_fill(xlsx_ctx *x, const char *pointer, const char *const *vars)
{
    return vpr_texts_fill(&x->buf, vpr_xlsx_t(x, pointer), vars);
}

typedef struct {
    unsigned char palette, style;
    const char *value;
} colour_rule;

/* Green for what the controls want, red for what fails them, amber in between; the
 * values are the snapshot's and the findings' own spellings (Excel compares them
 * ignoring case). */
static const colour_rule colour_rules[] = {
    {XP_FINDING, XS_GOOD, "pass"},
    {XP_FINDING, XS_WARN, "warn"},
    {XP_FINDING, XS_BAD, "fail"},
    {XP_FINDING, XS_ORANGE, "incomplete"},
    {XP_FINDING, XS_INFO, "exempt"},
    {XP_FINDING, XS_GREY, "not-applicable"},
    {XP_FINDING, XS_WARN, "pass with warnings"},
    {XP_FINDING, XS_INFO, "pass with exemptions"},
    {XP_LIST, XS_GOOD, "complete"},
    {XP_LIST, XS_BAD, "incomplete"},
    {XP_LIST, XS_ORANGE, "unverified"},
    {XP_LIST, XS_BAD, "missing"},
    {XP_IMMUTABLE, XS_GOOD, "Locked"},
    {XP_IMMUTABLE, XS_WARN, "Unlocked"},
    {XP_IMMUTABLE, XS_BAD, "Disabled"},
    {XP_SOFTDELETE, XS_GOOD, "AlwaysON"},
    {XP_SOFTDELETE, XS_WARN, "Enabled"},
    {XP_SOFTDELETE, XS_BAD, "Disabled"},
    {XP_SOFTDELETE, XS_BAD, "Invalid"},
    {XP_ENABLED, XS_GOOD, "Enabled"},
    {XP_ENABLED, XS_BAD, "Disabled"},
    {XP_ENABLED, XS_BAD, "Invalid"},
    {XP_WORM, XS_GOOD, "ga"},
    {XP_WORM, XS_WARN, "pending-automatic-transition"},
    {XP_PROTECTION, XS_GOOD, "Protected"},
    {XP_PROTECTION, XS_WARN, "IRPending"},
    {XP_PROTECTION, XS_BAD, "ProtectionError"},
    {XP_PROTECTION, XS_BAD, "ProtectionStopped"},
    {XP_PROTECTION, XS_WARN, "ProtectionPaused"},
    {XP_PROTECTION, XS_BAD, "BackupsSuspended"},
    {XP_PROTECTION, XS_BAD, "Invalid"},
    {XP_PROTECTION, XS_GOOD, "Healthy"},
    {XP_PROTECTION, XS_BAD, "Unhealthy"},
    {XP_PROTECTION, XS_GOOD, "Completed"},
    {XP_PROTECTION, XS_WARN, "CompletedWithWarnings"},
    {XP_PROTECTION, XS_BAD, "Failed"},
    {XP_PROTECTION, XS_GOOD, "Passed"},
    {XP_PROTECTION, XS_BAD, "ActionRequired"},
    {XP_PROTECTION, XS_WARN, "ActionSuggested"},
};

void vpr_xlsx_palette_apply(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t first, lxw_row_t last, lxw_col_t col,
                        xlsx_palette pal)
{
    char quoted[64];
    for (size_t i = 0; i < sizeof colour_rules / sizeof colour_rules[0] && !x->status; i++) {
        if (colour_rules[i].palette != pal)
            continue;
        lxw_conditional_format cf = {0};
        snprintf(quoted, sizeof quoted, "\"%s\"", colour_rules[i].value);
        cf.type = LXW_CONDITIONAL_TYPE_CELL;
        cf.criteria = LXW_CONDITIONAL_CRITERIA_EQUAL_TO;
        cf.value_string = quoted;
        cf.format = x->f.status[colour_rules[i].style];
        vpr_xlsx_check(x, worksheet_conditional_format_range(ws, first, col, last, col, &cf), "status colours");
    }
    if (pal != XP_FINDING && pal != XP_LIST && !x->status) {
        /* an empty cell of the snapshot's values is a value the API did not report */
        lxw_conditional_format cf = {0};
        cf.type = LXW_CONDITIONAL_TYPE_BLANKS;
        cf.format = x->f.status[XS_GREY];
        vpr_xlsx_check(x, worksheet_conditional_format_range(ws, first, col, last, col, &cf), "status colours");
    }
}

const char *vpr_xlsx_vault_name(const vp_snapshot *s, const char *vault_id)
{
    const vp_vault *v = vp_snapshot_find_vault(s, vault_id);
    return v ? v->name : vault_id;
}

const char *vpr_xlsx_result_of(const size_t counts[VP_STATUS_COUNT])
{
    return vp_result_of(counts);
}
