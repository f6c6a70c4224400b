/*
 * vaultproof/catalog.h - the control catalog (templates/controls/catalog.json).
 *
 * The catalog is versioned data compiled into the binary: frameworks with their
 * citations, and rules with a title, rationale, severity, parameters with defaults,
 * the citations each supports, matching Azure Policy definitions and a remediation hint
 * (what fixes a failing finding, shown with the exceptions). The evaluator
 * implements each rule by id; `vaultproof controls` prints the catalog.
 */
#ifndef VAULTPROOF_CATALOG_H
#define VAULTPROOF_CATALOG_H

#include <stddef.h>

#include "vaultproof/error.h"

typedef enum { VP_SEV_LOW = 1, VP_SEV_MEDIUM, VP_SEV_HIGH, VP_SEV_CRITICAL } vp_severity;

/* "low", "medium", "high", "critical". */
const char *vp_severity_name(vp_severity s);
/* Parses a severity name (case-insensitive); returns 0 or -1. */
int vp_severity_parse(const char *name, vp_severity *out);

typedef struct {
    const char *framework; /* "hipaa" or "sox" */
    const char *id, *title, *text;
} vp_citation;

typedef struct {
    const char *id, *title;
    const vp_citation *citations;
    size_t citation_count;
} vp_framework;

typedef enum { VP_PARAM_BOOL, VP_PARAM_INT, VP_PARAM_STRING } vp_param_type;

typedef struct {
    const char *name, *description;
    vp_param_type type;
    int bool_value;
    long long int_value;
    const char *string_value;
    const char **choices; /* allowed strings, or NULL */
    size_t choice_count;
} vp_param;

typedef struct {
    const char *id, *title, *applies_to, *rationale;
    const char *remediation; /* how to fix a failing finding in Azure; never empty */
    vp_severity severity;
    vp_param *params;
    size_t param_count;
    const vp_citation **citations;
    size_t citation_count;
    const char **azure_policy;
    size_t azure_policy_count;
} vp_rule;

typedef struct vp_catalog vp_catalog;

/* Parses and validates a catalog: unique rule ids, a non-empty remediation for every
 * rule, citations that exist, parameter defaults of the declared type. Errors: VP_ERR_INPUT with the JSON pointer. */
vp_status vp_catalog_parse(const char *label, const char *json, size_t len, vp_catalog **out, vp_error *err);
/* The catalog compiled into this binary. */
vp_status vp_catalog_builtin(vp_catalog **out, vp_error *err);
void vp_catalog_free(vp_catalog *cat);

const char *vp_catalog_version(const vp_catalog *cat);
const char *vp_catalog_sha256(const vp_catalog *cat);
const vp_framework *vp_catalog_frameworks(const vp_catalog *cat, size_t *count);
const vp_rule *vp_catalog_rules(const vp_catalog *cat, size_t *count);
/* NULL when no rule has this id. */
const vp_rule *vp_catalog_find_rule(const vp_catalog *cat, const char *id);
/* A rule's parameter by name, or NULL. */
const vp_param *vp_rule_param(const vp_rule *rule, const char *name);

#endif
