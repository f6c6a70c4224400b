/*
 * vaultproof/findings_read.h - reading findings.json back (docs/findings-format.md).
 *
 * Renderers present findings; they never recompute them. A findings file of a large
 * estate holds hundreds of thousands of findings, so the header (record, parameters,
 * summary, controls, rules) is loaded at open and the findings themselves are read
 * one at a time, in file order, with vp_findings_file_next(). Strings of a finding are
 * valid until the next call; header strings until vp_findings_file_close().
 */
#ifndef VAULTPROOF_FINDINGS_READ_H
#define VAULTPROOF_FINDINGS_READ_H

#include <stddef.h>

#include "vaultproof/error.h"
#include "vaultproof/evaluate.h"

typedef struct {
    const char *file, *sha256, *generated_at, *captured_to;
} vp_findings_baseline;

typedef struct {
    const char *class_name, *kind; /* kind NULL for every kind */
    long long daily_days, weekly_weeks, monthly_months, yearly_years; /* -1: not required */
} vp_findings_minimum;

typedef struct {
    const char *generated_at;
    const char *tool_version, *tool_commit;
    const char *catalog_version, *catalog_sha256;
    const char *config_path, *config_sha256;
    const char *organization, *report_title;  /* from the config; may be NULL */
    const char *snapshot_file, *snapshot_sha256, *snapshot_generated_at, *captured_to, *as_of;
    int snapshot_complete, snapshot_verified;
    const vp_findings_baseline *baselines;
    size_t baseline_count;
    int hipaa, sox;                      /* frameworks evaluated */
    long long rpo_hours, hyper_care_days, exemption_count, decommission_count;
    const char *critical;                /* the critical selector, as text: "Criticality = Tier0 | Tier1; names epic-*" */
    const char **class_names, **class_selectors; /* data classes and their selectors as text */
    size_t class_count;
    const vp_findings_minimum *minimums;
    size_t minimum_count;
    size_t finding_count;
    size_t counts[VP_STATUS_COUNT];      /* indexed by vp_finding_status */
    const char *result;                  /* "fail", "incomplete", "pass with warnings", ... */
} vp_findings_header;

typedef struct {
    const char *framework, *citation, *title, *result;
    const char **rules;
    size_t rule_count;
    size_t counts[VP_STATUS_COUNT];
    size_t operated_ok, operated_of;
    int operated_days;                   /* 1: counted in the period's days ("unit": "days") */
} vp_control_record;

typedef struct {
    const char *id, *title, *severity, *result;
    const char **citations;
    size_t citation_count;
    const char **azure_policy;
    size_t azure_policy_count;
    size_t counts[VP_STATUS_COUNT];
    size_t operated_ok, operated_of;
    int operated_days;                   /* as vp_control_record */
} vp_rule_record;

typedef struct {
    const char *rule, *severity;
    vp_finding_status status;
    const char *resource_type, *resource_id, *resource_name;
    const char *observed, *expected, *note;         /* may be NULL */
    const char *evidence_snapshot, *evidence_raw;   /* may be NULL */
    int exempted;                                   /* the exemption fields below are set */
    long long exemption_index;
    const char *exemption_resource, *exemption_reason, *exemption_approver, *exemption_expires;
    const char **citations;
    size_t citation_count;
} vp_finding_record;

typedef struct vp_findings_file vp_findings_file;

/* Opens path and reads everything before the findings. Errors: VP_ERR_INPUT naming the
 * file, line and JSON pointer (wrong format string, wrong types, missing members);
 * VP_ERR_IO. */
vp_status vp_findings_file_open(const char *path, vp_findings_file **out, vp_error *err);
const vp_findings_header *vp_findings_file_header(const vp_findings_file *f);
const vp_control_record *vp_findings_file_controls(const vp_findings_file *f, size_t *count);
const vp_rule_record *vp_findings_file_rules(const vp_findings_file *f, size_t *count);
/* The next finding in file order; *rec is NULL after the last. Errors: VP_ERR_INPUT
 * (with line and pointer) for a malformed finding. */
vp_status vp_findings_file_next(vp_findings_file *f, const vp_finding_record **rec, vp_error *err);
/* Starts the findings over from the first. */
void vp_findings_file_rewind(vp_findings_file *f);
/* Starts over, and until the next rewind returns only the findings whose status is in
 * status_mask (bit 1u << vp_finding_status) or whose rule is rule (borrowed until then;
 * NULL: none); 0 and NULL: every finding. For a pass that wants a few of hundreds of
 * thousands (the failing ones, the exempt ones, one rule's): a line of the writer's
 * layout whose rule and status, its first two members, are not wanted is skipped without
 * being parsed, so such a pass does not check those lines; the passes that read every
 * finding do (the tally, which both renderers build, and the workbook's Findings rows). */
void vp_findings_file_rewind_only(vp_findings_file *f, unsigned status_mask, const char *rule);
/* A handle's first pass after vp_findings_file_rewind_only learns where every line is and
 * what status and rule it names (five bytes a line); its later such passes then go from
 * one wanted line to the next without reading the lines in between. This hands to a
 * second handle of the same file the index its first handle (from) learnt, so that its
 * passes skip from the start. Returns 1 when shared, 0 when from has no complete index
 * or the two differ in size, layout or finding count (to then learns its own). from must
 * stay open as long as to is read; both may be read at once from different threads (the
 * index no longer changes once complete). Rewinds to. */
int vp_findings_file_share_index(vp_findings_file *to, const vp_findings_file *from);
/* The lines of the file this handle has read (scanned or parsed) since the last rewind:
 * a line skipped through the index is not read. For tests and measurements. */
size_t vp_findings_file_lines_read(const vp_findings_file *f);
void vp_findings_file_close(vp_findings_file *f);

/* "pass" ... "incomplete" to the enum; -1 when unknown. */
int vp_finding_status_parse(const char *name);

#endif
