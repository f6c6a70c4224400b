/*
 * vaultproof/doctor.h - checks, without collecting, that what an unattended run needs
 * works: the configuration, the Azure credential (a token for ARM), read access to every
 * subscription and vault in scope (with the Recovery Services reads a collection makes),
 * the signer (it loads and signs), its certificate (valid, not about to expire), the CA
 * (it issued the signer), the time-stamping authority (it answers), and the archive
 * directory (writable). So a quarterly run does not fail at night for a reason one
 * command could have shown.
 *
 * Each check is reported once, as it ends, through a callback: a level, a short name
 * ("credential", "subscription", "signer", ...) and a one-line detail. Nothing secret
 * (token, client secret, passphrase, PIN, key bytes) is ever part of a detail: Azure
 * errors are shown by their status, code and message, URLs by vp_az_url_label.
 */
#ifndef VAULTPROOF_DOCTOR_H
#define VAULTPROOF_DOCTOR_H

#include <stddef.h>

#include "vaultproof/clock.h"
#include "vaultproof/error.h"

typedef enum { VP_DOCTOR_OK = 0, VP_DOCTOR_WARN, VP_DOCTOR_FAIL } vp_doctor_level;

/* What a failed check stops: the exit status vp_doctor_exit_code gives it. */
typedef enum {
    VP_DOCTOR_CONFIG = 0, /* the configuration does not load (3): nothing else is checked */
    VP_DOCTOR_AZURE,      /* credential, endpoint or permission (4) */
    VP_DOCTOR_CRYPTO,     /* signer key, signature, certificate, CA or TSA (5) */
    VP_DOCTOR_IO,         /* the archive directory (6) */
    VP_DOCTOR_AREA_COUNT
} vp_doctor_area;

/* One finished check. check and detail are valid during the call only. */
typedef void (*vp_doctor_report_fn)(void *ctx, vp_doctor_level level, vp_doctor_area area, const char *check,
                                    const char *detail);

typedef struct {
    const char *config_path;                /* required */
    const char *const *subscriptions;       /* scope instead of the config's (count 0: the config's) */
    size_t subscription_count;
    /* Azure, as for live collection (vaultproof/live.h): NULL takes the config's cloud and
     * the credential chain of the environment. */
    const char *token_file, *arm_endpoint, *authority_host, *ca_bundle;
    const char *tsa_url;                    /* NULL: the config's signer/tsa */
    const char *archive_dir;                /* pack's --out; NULL: not checked (a warning) */
    const char *archive_url;                /* pack's --archive-url, or NULL */
    vp_clock clock;                         /* certificate validity is judged at clock.epoch */
    int expiry_warn_days;                   /* a certificate expiring sooner warns; 0: 30 */
    vp_doctor_report_fn report;             /* required */
    void *report_ctx;
} vp_doctor_options;

typedef struct {
    size_t ok, warn, fail;
    size_t failed[VP_DOCTOR_AREA_COUNT];    /* failed checks per area */
} vp_doctor_result;

/* Runs every check (a failed one does not stop the others, except a configuration that
 * does not load) and reports each. Returns VP_OK when the checks ran, whatever they
 * found; *res counts them. Errors: VP_ERR_USAGE (no config path or callback),
 * VP_ERR_NOMEM. */
vp_status vp_doctor_run(const vp_doctor_options *opt, vp_doctor_result *res, vp_error *err);

/* The exit status of a doctor run: 0 when nothing failed (warnings included); else, by
 * precedence, 3 the configuration, 4 a credential, endpoint or permission, 5 a key,
 * signature, certificate or TSA, 6 the archive directory. */
int vp_doctor_exit_code(const vp_doctor_result *res);

#endif
