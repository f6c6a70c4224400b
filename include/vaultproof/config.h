/*
 * vaultproof/config.h - the user's configuration file (vaultproof.json, docs/config.md).
 *
 * Unknown top-level keys and wrong types are rejected with the key path (VP_ERR_INPUT),
 * so a typo never silently changes what is evaluated.
 */
#ifndef VAULTPROOF_CONFIG_H
#define VAULTPROOF_CONFIG_H

#include <stddef.h>

#include "vaultproof/error.h"

typedef struct vp_config vp_config;
/* vaultproof/worm.h; declared here so the configuration does not pull in the catalog. */
typedef struct vp_worm_catalog vp_worm_catalog;

/* Longest config texts accepted, in bytes (docs/config.md "Limits"): the free texts
 * reach the PDF report, whose strings libharu caps at 65,535 bytes. Exemption reasons,
 * file paths and URLs may be long; every other string and every key is a name. */
#define VP_CONFIG_MAX_NAME 512
#define VP_CONFIG_MAX_TEXT 4096

/* Loads and validates path. *out is owned by the caller (vp_config_free). */
vp_status vp_config_load(const char *path, vp_config **out, vp_error *err);
/* The same, reading path but named name (may be NULL: path) in what is recorded: the
 * findings' and OSCAL's config path, and the origin of a WORM catalog file the config
 * names (relative to name's directory). pack and reperform read a bundle's
 * config/vaultproof.json from where it sits and record it as "config/vaultproof.json". */
vp_status vp_config_load_named(const char *path, const char *name, vp_config **out, vp_error *err);
void vp_config_free(vp_config *cfg);

/* Organization name, report title (NULL when not set). */
const char *vp_config_organization(const vp_config *cfg);
const char *vp_config_report_title(const vp_config *cfg);

/* The tag whose value on a failing finding's subject names its owner in the reports
 * ("report": {"owner_tag": ...}); never NULL: VP_CONFIG_DEFAULT_OWNER_TAG when not set. */
#define VP_CONFIG_DEFAULT_OWNER_TAG "Owner"
const char *vp_config_owner_tag(const vp_config *cfg);

/* Scope lists; the arrays stay valid while cfg lives. */
const char *const *vp_config_subscriptions(const vp_config *cfg, size_t *count);
const char *const *vp_config_vault_include(const vp_config *cfg, size_t *count);
const char *const *vp_config_vault_exclude(const vp_config *cfg, size_t *count);

/* ---- what evaluation reads (docs/config.md) ---- */

/* Resources selected by VM tags (any listed value of any listed key) or by name
 * (shell globs, case-insensitive, on item friendly name, server or VM name). */
typedef struct {
    const char *key;
    const char **values;
    size_t value_count;
} vp_tag_match;

typedef struct {
    vp_tag_match *tags;
    size_t tag_count;
    const char **names;
    size_t name_count;
} vp_selector;

typedef struct {
    const char *name;     /* "ephi", "sox", ... */
    vp_selector select;
} vp_data_class;

/* Minimum retention per tier; -1 when the tier is not required. */
typedef struct {
    long long daily_days, weekly_weeks, monthly_months, yearly_years;
} vp_retention_minimum;

typedef struct {
    const char *class_name; /* "default" applies to every item */
    const char *kind;       /* an item kind ("sql_in_vm") or NULL for all kinds */
    vp_retention_minimum minimum;
    const char *pointer;    /* where in the config it was set, for findings */
} vp_retention_rule;

typedef struct {
    const char *resource, *rule, *reason, *approver, *expires;
    long long expires_epoch; /* end of the expiry day, UTC */
    size_t index;
} vp_exemption;

typedef struct {
    const char *server, *date, *ticket;
} vp_decommission;

/* One entry of "change_register" (docs/config.md): an approved change to backup
 * protection. It matches a change by correlation_id, or by resource_id + operation + the
 * UTC day of the change (the two forms are exclusive). */
typedef struct {
    const char *ticket, *approver, *date;          /* date: YYYY-MM-DD the change was approved */
    const char *correlation_id;                    /* match form 1, or NULL */
    const char *resource_id, *operation, *on_day;  /* match form 2 (all three), or NULL */
    size_t index;                                  /* position in the array, for findings */
} vp_change_entry;

typedef struct {
    const char *rule, *name;
    int is_bool, is_string;
    int bool_value;
    long long int_value;
    const char *string_value;
} vp_param_override;

/* A restore test requirement for one data class ("restore_tests", docs/config.md): the
 * items of the class (and of select, when it selects anything) are grouped by the value
 * of the VM tag group_by (NULL: the class is one group); each group needs at least
 * min_successful successful restores in the period. */
typedef struct {
    const char *class_name; /* a name defined in "classes", or "default" (every item) */
    vp_selector select;     /* narrows the class; no tags and no names: the whole class */
    const char *group_by;   /* a tag key, or NULL */
    long long min_successful; /* default 1 */
    const char *pointer;    /* "/restore_tests/<class>", for findings */
} vp_restore_test;

typedef struct {
    int hipaa, sox;                 /* frameworks enabled (default: both) */
    vp_selector critical;
    vp_data_class *classes;
    size_t class_count;
    vp_retention_rule *retention;
    size_t retention_count;
    long long rpo_hours;            /* default 24 */
    long long hyper_care_days;      /* default 30 */
    vp_exemption *exemptions;
    size_t exemption_count;
    vp_decommission *decommissioned;
    size_t decommission_count;
    vp_param_override *overrides;   /* "rule_parameters" */
    size_t override_count;
    vp_restore_test *restore_tests; /* "restore_tests" (rule restore.tested) */
    size_t restore_test_count;
    vp_change_entry *change_register; /* "change_register" */
    size_t change_register_count;
} vp_eval_settings;

/* The evaluation settings, validated when the config was loaded. */
const vp_eval_settings *vp_config_eval(const vp_config *cfg);
/* The config file's SHA-256 (hex), for the record of what was evaluated. */
const char *vp_config_sha256(const vp_config *cfg);
const char *vp_config_path(const vp_config *cfg);
/* How records name the config: the name given to vp_config_load_named, else the path. */
const char *vp_config_name(const vp_config *cfg);

/* ---- what live collection reads ("live", docs/config.md) ---- */
typedef struct {
    const char *cloud;                 /* "AzureCloud", "AzureUSGovernment", "AzureChinaCloud"; NULL: default */
    const char *api_vaults;            /* api-version overrides per resource provider; NULL: pinned default */
    const char *api_backup;
    const char *api_compute;
    const char *api_subscriptions;
    const char *api_dataprotection;
    const char *api_insights;
    /* "deleted_vault_locations": where soft-deleted vaults are also listed (as given;
     * validated: letters and digits once spaces are removed); NULL / 0 when absent */
    const char **deleted_vault_locations;
    size_t deleted_vault_location_count;
    int concurrency;                   /* 1..64; 0: default */
} vp_live_settings;

/* The live collection settings (all NULL / 0 when the config has no "live"). */
const vp_live_settings *vp_config_live(const vp_config *cfg);

/* ---- where pack finds its signer ("signer", docs/config.md) ---- */
typedef struct {
    /* exactly one of key, pkcs11_uri and key_vault_key */
    const char *key;             /* private key (PEM, mode 0600, or .p12) */
    const char *pkcs11_uri;      /* RFC 7512 "pkcs11:token=...;object=..." (a key in a token) */
    const char *pkcs11_module;   /* the PKCS#11 module (.so); NULL: the default (docs/signing.md) */
    const char *pin_env;         /* environment variable holding the token's PIN */
    const char *pin_file;        /* or a file whose first line is the PIN (a systemd credential) */
    const char *key_vault_key;   /* "https://<vault>.vault.azure.net/keys/<name>/<version>" */
    const char *cert, *chain;    /* signer certificate (PEM; not with .p12) and extra certificates */
    const char *passphrase_env;  /* environment variable holding the key's passphrase */
    const char *passphrase_file; /* file whose first line is the passphrase */
    const char *tsa;             /* RFC 3161 time-stamping authority URL */
    const char *ca;              /* the CA (PEM) auditors should trust: its subject and
                                    fingerprint are printed in the bundle's README.txt */
} vp_signer_settings;

/* The signer settings (all NULL when the config has no "signer"). Paths are resolved
 * against the config file's directory; the strings live as long as cfg. */
const vp_signer_settings *vp_config_signer(const vp_config *cfg);

/* ---- where pack uploads bundles ("archive", docs/config.md, docs/archive-storage.md) ---- */
typedef struct {
    const char *url;                /* https://<account>.blob.<suffix>/<container>[/<prefix>] (vaultproof/blob.h) */
    const char *sas_env;            /* environment variable holding a SAS; NULL: an Entra token for Storage */
    const char *storage_account_id; /* the account's ARM id, for the container's immutability policy;
                                       NULL: looked up by name in the scope's subscriptions */
    int require_worm;               /* a container without a locked time-based policy fails the pack */
} vp_archive_settings;

/* The archive settings (all NULL / 0 when the config has no "archive"). */
const vp_archive_settings *vp_config_archive(const vp_config *cfg);

/* The WORM catalog the config selects: its own ("worm_catalog": path relative to the
 * config file, or an inline object) or, when unset or null, the built-in one. */
vp_status vp_config_worm_catalog(const vp_config *cfg, vp_worm_catalog **out, vp_error *err);
/* The file path "worm_catalog" gives, as written (NULL when it is null, absent or inline). */
const char *vp_config_worm_catalog_file(const vp_config *cfg);

/* ---- the copy an evidence bundle carries (docs/config.md "In an evidence bundle") ---- */

/* Name of the bundled configuration inside a bundle, and of a WORM catalog file it names
 * (relative to the bundle's top folder). */
#define VP_BUNDLE_CONFIG "config/vaultproof.json"
#define VP_BUNDLE_WORM_CATALOG "config/worm-catalog.json"

typedef struct {
    char *config;         /* the bundled vaultproof.json: JSON text ending in a newline */
    size_t config_len;
    char *worm_catalog;   /* the WORM catalog file the config names (its bytes, to be stored
                             as VP_BUNDLE_WORM_CATALOG), or NULL when it names none */
    size_t worm_catalog_len;
} vp_config_bundled;

/* The configuration as a bundle carries it, so the findings can be re-derived from the
 * bundle alone: every member evaluation or collection reads is kept; "signer" (private
 * key, certificate and chain paths, passphrase source, TSA) is left out; a "worm_catalog"
 * file path is replaced by the name of the bundled copy (VP_BUNDLE_WORM_CATALOG relative
 * to VP_BUNDLE_CONFIG) and its bytes returned; subscription_count > 0 replaces
 * /scope/subscriptions by these (pack --subscription), so the copy says the scope that was
 * collected. *out (vp_config_bundled_free) is set only on success.
 * Errors: VP_ERR_INPUT/VP_ERR_IO naming the WORM catalog file when it cannot be read;
 * VP_ERR_NOMEM. */
vp_status vp_config_bundle(const vp_config *cfg, const char *const *subscriptions, size_t subscription_count,
                           vp_config_bundled *out, vp_error *err);
void vp_config_bundled_free(vp_config_bundled *b);

#endif
