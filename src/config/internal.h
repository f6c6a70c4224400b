/* Internal to the config module: the parsed configuration. */
#ifndef VP_CONFIG_INTERNAL_H
#define VP_CONFIG_INTERNAL_H

#include "core/arena.h"
#include "vaultproof/config.h"
#include "vaultproof/json.h"

struct vp_config {
    vp_arena arena;
    char *path;
    char *name;          /* how records name the config (vp_config_name); never NULL once loaded */
    char sha256[65];
    cJSON *root;
    const char *organization, *report_title;
    const char *owner_tag; /* report.owner_tag, else VP_CONFIG_DEFAULT_OWNER_TAG */
    const char **subs, **include, **exclude;
    size_t sub_count, include_count, exclude_count;
    vp_eval_settings eval;
    vp_live_settings live;
    vp_signer_settings signer;
    vp_archive_settings archive;
};

/* A member holding an array of non-empty strings, copied into the config. Absent:
 * *out NULL and *count 0. */
vp_status vpf_config_string_list(vp_config *c, vp_jreader *r, const cJSON *obj, const char *base, const char *key,
                                const char ***out, size_t *count);

/* path as given when absolute, else joined to the config file's directory, into out.
 * Returns -1 when it does not fit. */
int vpf_config_beside(const vp_config *c, const char *path, char *out, size_t size);

/* What the bundled copy of the configuration does with a top-level member (config.c's
 * table of known keys says it for every key; config_bundle.c acts on it). */
typedef enum {
    VPF_BUNDLE_KEEP = 0, /* copied as it is */
    VPF_BUNDLE_DROP,     /* left out: the signer's private paths and passphrase source */
    VPF_BUNDLE_FILE      /* worm_catalog: a file path is copied beside the bundled config */
} vpf_bundle_action;

/* The action for top-level key (a key the loader accepted). */
vpf_bundle_action vpf_config_bundle_action(const char *key);

/* path relative to the directory of the config's name (vp_config_name), into out: how
 * records name a file the config names. Returns -1 when it does not fit. */
int vpf_config_beside_name(const vp_config *c, const char *path, char *out, size_t size);

/* Reads and validates the "signer" object (config_signer.c). */
vp_status vpf_config_parse_signer(vp_config *c, vp_jreader *r);

/* Reads and validates the "archive" object (config_archive.c). */
vp_status vpf_config_parse_archive(vp_config *c, vp_jreader *r);

/* Reads and validates the "live" object (config_live.c). */
vp_status vpf_config_parse_live(vp_config *c, vp_jreader *r);

/* Reads and validates what evaluation uses (config_eval.c). */
vp_status vpf_config_parse_eval(vp_config *c, vp_jreader *r);

#endif
