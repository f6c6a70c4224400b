/* vaultproof doctor (vaultproof/doctor.h): every check an unattended run depends on,
 * made without collecting. Each check ends in exactly one report; a failed check never
 * stops the others (the operator wants the whole list at once), except a configuration
 * that does not load, which everything else reads. */
#define _GNU_SOURCE /* FNM_CASEFOLD */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaultproof/arm.h"
#include "vaultproof/azclient.h"
#include "vaultproof/blob.h"
#include "vaultproof/config.h"
#include "vaultproof/doctor.h"
#include "vaultproof/keys.h"
#include "vaultproof/pipeline.h"
#include "vaultproof/tsa.h"

/* Vault list pages followed per subscription (a collection follows up to 1000; doctor
 * only needs to see that listing works and which vaults are in scope). */
#define VPD_MAX_PAGES 50

typedef struct {
    const vp_doctor_options *opt;
    vp_doctor_result *res;
} run_ctx;

static void report(run_ctx *r, vp_doctor_level level, vp_doctor_area area, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void report(run_ctx *r, vp_doctor_level level, vp_doctor_area area, const char *check, const char *fmt, ...)
{
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (level == VP_DOCTOR_OK)
        r->res->ok++;
    else if (level == VP_DOCTOR_WARN)
        r->res->warn++;
    else {
        r->res->fail++;
        r->res->failed[area]++;
    }
    r->opt->report(r->opt->report_ctx, level, area, check, detail);
}

/* ---- Azure ---- */

typedef struct {
    run_ctx *r;
    vp_az_client *client;
    char arm[512];
    const vp_live_settings *live;
} azure_ctx;

/* GET url: the HTTP status, or -1 when no response came. *doc is the parsed JSON body of a
 * 200 (cJSON_Delete), else NULL; why says what went wrong otherwise: the transport or
 * token error, or the refusal as "HTTP 403 AuthorizationFailed: <Azure's message>". */
static long az_get(azure_ctx *a, const char *url, cJSON **doc, char *why, size_t size)
{
    static const vp_az_header accept = {"Accept", "application/json"};
    vp_az_response resp = {0};
    vp_error err = {0};
    *doc = NULL;
    why[0] = '\0';
    if (vp_az_request(a->client, "GET", url, &accept, 1, NULL, 0, &resp, &err)) {
        snprintf(why, size, "%s", err.message);
        return -1;
    }
    long status = resp.status;
    if (status == 200 && !(*doc = cJSON_ParseWithLength((const char *)resp.body, resp.body_len)))
        snprintf(why, size, "HTTP 200 with a body that is not JSON");
    else if (status != 200)
        snprintf(why, size, "HTTP %ld%s%s%s%s", status, resp.error_code[0] ? " " : "", resp.error_code,
                 resp.error_message[0] ? ": " : "", resp.error_message);
    vp_az_response_free(&resp);
    return status;
}

static const char *api(const char *configured, vp_arm_api family)
{
    return configured ? configured : vp_arm_api_default(family);
}

static int vault_in_scope(const vp_config *cfg, const char *name)
{
    size_t ni = 0, nx = 0;
    const char *const *inc = vp_config_vault_include(cfg, &ni), *const *exc = vp_config_vault_exclude(cfg, &nx);
    int in = ni == 0;
    for (size_t i = 0; i < ni && !in; i++)
        in = fnmatch(inc[i], name, FNM_CASEFOLD) == 0;
    for (size_t i = 0; i < nx && in; i++)
        in = fnmatch(exc[i], name, FNM_CASEFOLD) != 0;
    return in;
}

/* The Recovery Services read a collection makes of each vault (BackupResourceVaultConfigs_Get:
 * Backup Reader or Reader): a principal that can list vaults but not read their backup
 * data would collect an estate of unreadable vaults. */
static void check_vault(azure_ctx *a, const char *id, const char *name)
{
    char url[2048], why[1100];
    cJSON *doc = NULL;
    snprintf(url, sizeof url, "%s%s/backupconfig/vaultconfig?api-version=%s", a->arm, id,
             api(a->live->api_backup, VP_ARM_API_BACKUP));
    long status = az_get(a, url, &doc, why, sizeof why);
    if (doc)
        report(a->r, VP_DOCTOR_OK, VP_DOCTOR_AZURE, "vault", "%s: Recovery Services backup configuration readable",
               name);
    else
        report(a->r, status == 404 ? VP_DOCTOR_WARN : VP_DOCTOR_FAIL, VP_DOCTOR_AZURE, "vault",
               "%s: backupconfig/vaultconfig: %s%s", name, why,
               status == 403 ? " (needs Backup Reader or Reader: docs/live-collection.md)" : "");
    cJSON_Delete(doc);
}

/* Lists the subscription's vaults as a collection does and checks each one in scope. */
static void check_vaults(azure_ctx *a, const vp_config *cfg, const char *sub)
{
    char url[2048], why[1100];
    size_t total = 0, in_scope = 0;
    snprintf(url, sizeof url, "%s/subscriptions/%s/providers/Microsoft.RecoveryServices/vaults?api-version=%s", a->arm,
             sub, api(a->live->api_vaults, VP_ARM_API_VAULTS));
    for (int page = 0; page < VPD_MAX_PAGES && url[0]; page++) {
        cJSON *doc = NULL;
        az_get(a, url, &doc, why, sizeof why);
        if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "value"))) {
            report(a->r, VP_DOCTOR_FAIL, VP_DOCTOR_AZURE, "vaults", "%s: listing Recovery Services vaults: %s", sub,
                   doc ? "a body without a \"value\" list" : why);
            cJSON_Delete(doc);
            return;
        }
        const cJSON *v;
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(doc, "value"))
        {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(v, "id"),
                        *name = cJSON_GetObjectItemCaseSensitive(v, "name");
            total++;
            if (cJSON_IsString(id) && cJSON_IsString(name) && vault_in_scope(cfg, name->valuestring)) {
                in_scope++;
                /* a vault id spelled as a URL (docs/live-collection.md) is read by its path */
                const char *path = strstr(id->valuestring, "/subscriptions/");
                if (path)
                    check_vault(a, path, name->valuestring);
            }
        }
        /* a nextLink is followed only on the ARM endpoint in use: the bearer token goes
         * nowhere else */
        const cJSON *next = cJSON_GetObjectItemCaseSensitive(doc, "nextLink");
        size_t armlen = strlen(a->arm);
        if (cJSON_IsString(next) && !strncmp(next->valuestring, a->arm, armlen) && next->valuestring[armlen] == '/')
            snprintf(url, sizeof url, "%s", next->valuestring);
        else
            url[0] = '\0';
        cJSON_Delete(doc);
    }
    report(a->r, total && !in_scope ? VP_DOCTOR_WARN : VP_DOCTOR_OK, VP_DOCTOR_AZURE, "vaults",
           "%s: %zu Recovery Services vault%s listed, %zu in scope%s", sub, total, total == 1 ? "" : "s", in_scope,
           total && !in_scope ? " (scope.vaults selects none)" : "");
}

static void check_subscription(azure_ctx *a, const vp_config *cfg, const char *sub)
{
    char url[1024], why[1100];
    cJSON *doc = NULL;
    snprintf(url, sizeof url, "%s/subscriptions/%s?api-version=%s", a->arm, sub,
             api(a->live->api_subscriptions, VP_ARM_API_SUBSCRIPTIONS));
    az_get(a, url, &doc, why, sizeof why);
    if (!doc) {
        report(a->r, VP_DOCTOR_FAIL, VP_DOCTOR_AZURE, "subscription", "%s: %s", sub, why);
        return;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "displayName"),
                *state = cJSON_GetObjectItemCaseSensitive(doc, "state");
    int enabled = !cJSON_IsString(state) || !strcmp(state->valuestring, "Enabled");
    report(a->r, enabled ? VP_DOCTOR_OK : VP_DOCTOR_WARN, VP_DOCTOR_AZURE, "subscription", "%s: readable%s%s%s%s", sub,
           cJSON_IsString(name) ? " (" : "", cJSON_IsString(name) ? name->valuestring : "",
           cJSON_IsString(name) ? ")" : "", enabled ? "" : ", state is not Enabled");
    cJSON_Delete(doc);
    check_vaults(a, cfg, sub);
}

static vp_status check_azure(run_ctx *r, const vp_config *cfg, vp_error *fatal)
{
    const vp_doctor_options *o = r->opt;
    azure_ctx a = {.r = r, .live = vp_config_live(cfg)};
    vp_az_client_options co = {.cloud = a.live->cloud, .authority_host = o->authority_host,
                               .ca_bundle = o->ca_bundle, .token_file = o->token_file};
    vp_error err = {0};
    const char *arm = o->arm_endpoint ? o->arm_endpoint : vp_az_cloud_arm(a.live->cloud);
    if (!arm) {
        report(r, VP_DOCTOR_FAIL, VP_DOCTOR_AZURE, "credential", "unknown cloud '%s' (live.cloud)", a.live->cloud);
        return VP_OK;
    }
    snprintf(a.arm, sizeof a.arm, "%s", arm);
    for (size_t n = strlen(a.arm); n && a.arm[n - 1] == '/'; n--)
        a.arm[n - 1] = '\0';
    vp_status st = vp_az_client_new(&co, &a.client, &err);
    if (st == VP_ERR_NOMEM)
        return *fatal = err, st;
    if (st) {
        report(r, VP_DOCTOR_FAIL, VP_DOCTOR_AZURE, "credential", "%s", err.message);
        return VP_OK;
    }
    /* the first request obtains the token: the tenant's subscription list, which also
     * gives the scope when the config names none */
    char url[1024], why[1100], label[512];
    cJSON *doc = NULL;
    snprintf(url, sizeof url, "%s/subscriptions?api-version=%s", a.arm,
             api(a.live->api_subscriptions, VP_ARM_API_SUBSCRIPTIONS));
    vp_az_url_label(a.arm, label, sizeof label);
    long status = az_get(&a, url, &doc, why, sizeof why);
    if (status < 0 || status == 401) {
        report(r, VP_DOCTOR_FAIL, VP_DOCTOR_AZURE, "credential", "%s: no usable token for %s: %s",
               vp_az_client_credential(a.client), label, why);
    } else {
        const char *principal = vp_az_client_principal(a.client);
        report(r, VP_DOCTOR_OK, VP_DOCTOR_AZURE, "credential", "%s%s%s: token for %s obtained",
               vp_az_client_credential(a.client), principal[0] ? " " : "", principal, label);
        size_t n = r->opt->subscription_count;
        const char *const *subs = r->opt->subscriptions;
        if (!n)
            subs = vp_config_subscriptions(cfg, &n);
        if (n) {
            for (size_t i = 0; i < n; i++)
                check_subscription(&a, cfg, subs[i]);
        } else {
            /* no scope: every subscription the principal can list, as a collection would */
            const cJSON *s;
            size_t seen = 0;
            cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(doc, "value"))
            {
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(s, "subscriptionId");
                if (cJSON_IsString(id)) {
                    seen++;
                    check_subscription(&a, cfg, id->valuestring);
                }
            }
            if (!seen)
                report(r, VP_DOCTOR_FAIL, VP_DOCTOR_AZURE, "subscription", "no scope.subscriptions and %s",
                       doc ? "the principal can list no subscription" : why);
        }
    }
    cJSON_Delete(doc);
    vp_az_client_free(a.client);
    return VP_OK;
}

/* ---- signer, certificate, CA, TSA ---- */

/* The signer's certificate, parsed (X509_free). */
static X509 *signer_cert(const vp_signer *s)
{
    unsigned char *der = NULL;
    size_t len = 0;
    vp_error ignored = {0};
    if (vp_signer_cert_der(s, &der, &len, &ignored))
        return NULL;
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    free(der);
    return x;
}

/* A signature over a test message with the signer's key, checked with the certificate's
 * public key: proves the key (file, token or remote) signs, and is the certificate's. */
static int sign_and_check(const vp_signer *s, X509 *cert, char *why, size_t size)
{
    static const char message[] = "vaultproof doctor: test signature";
    unsigned char *sig = NULL;
    size_t sig_len = 0;
    vp_error err = {0};
    if (vp_signer_sign(s, message, sizeof message - 1, &sig, &sig_len, &err)) {
        snprintf(why, size, "signing a test message failed: %s", err.message);
        return -1;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, X509_get0_pubkey(cert)) == 1 &&
             EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)message, sizeof message - 1) == 1;
    EVP_MD_CTX_free(md);
    free(sig);
    if (!ok)
        snprintf(why, size, "the test signature does not verify with the certificate's public key");
    return ok ? 0 : -1;
}

static long long asn1_epoch(const ASN1_TIME *t)
{
    struct tm tm;
    if (ASN1_TIME_to_tm(t, &tm) != 1)
        return LLONG_MIN;
    return vp_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) * 86400 +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

static void check_certificate(run_ctx *r, X509 *cert)
{
    char from[32], to[32];
    long long nb = asn1_epoch(X509_get0_notBefore(cert)), na = asn1_epoch(X509_get0_notAfter(cert));
    long long now = r->opt->clock.epoch, warn_days = r->opt->expiry_warn_days ? r->opt->expiry_warn_days : 30;
    vp_time_format(nb, from, sizeof from);
    vp_time_format(na, to, sizeof to);
    if (nb == LLONG_MIN || na == LLONG_MIN)
        report(r, VP_DOCTOR_FAIL, VP_DOCTOR_CRYPTO, "certificate", "unreadable validity dates");
    else if (now < nb)
        report(r, VP_DOCTOR_FAIL, VP_DOCTOR_CRYPTO, "certificate", "not valid before %s", from);
    else if (now >= na)
        report(r, VP_DOCTOR_FAIL, VP_DOCTOR_CRYPTO, "certificate", "expired %s: pack signs with it only to fail "
               "verification; renew it", to);
    else if (na - now < warn_days * 86400)
        report(r, VP_DOCTOR_WARN, VP_DOCTOR_CRYPTO, "certificate", "expires %s, in %lld day%s: renew it before the "
               "next run", to, (na - now) / 86400, (na - now) / 86400 == 1 ? "" : "s");
    else
        report(r, VP_DOCTOR_OK, VP_DOCTOR_CRYPTO, "certificate", "valid until %s (%lld days)", to, (na - now) / 86400);
}

static void check_tsa(run_ctx *r, const char *url)
{
    static const char probe[] = "vaultproof doctor: time-stamp probe";
    vp_tsa tsa = {.url = url, .ca_bundle = r->opt->ca_bundle};
    unsigned char *resp = NULL;
    size_t resp_len = 0;
    vp_tsa_verdict v;
    vp_error err = {0};
    char label[512];
    vp_az_url_label(url, label, sizeof label);
    if (vp_tsa_stamp(&tsa, probe, sizeof probe - 1, &resp, &resp_len, NULL, NULL, &err))
        report(r, VP_DOCTOR_FAIL, VP_DOCTOR_CRYPTO, "tsa", "%s", err.message);
    else if (vp_tsa_verify_response(resp, resp_len, probe, sizeof probe - 1, NULL, &v, &err))
        report(r, VP_DOCTOR_FAIL, VP_DOCTOR_CRYPTO, "tsa", "%s: %s", label, err.message);
    else
        report(r, VP_DOCTOR_OK, VP_DOCTOR_CRYPTO, "tsa", "%s granted a time-stamp (genTime %s, %s)", label,
               v.gen_time_text, v.tsa_subject);
    free(resp);
}

static vp_status check_signer(run_ctx *r, const vp_config *cfg, vp_error *fatal)
{
    const vp_signer_settings *ss = vp_config_signer(cfg);
    /* a Key Vault key signs remotely: its client takes doctor's TLS and authority options */
    vp_pipeline_signer_options so = {.tsa_url = r->opt->tsa_url, .ca_bundle = r->opt->ca_bundle,
                                     .authority_host = r->opt->authority_host};
    vp_signer *s = NULL;
    const char *tsa = NULL;
    vp_error err = {0};
    char why[1100], subject[512];
    vp_status st = vp_pipeline_signer(&so, cfg, r->opt->config_path, "doctor", 0, &s, &tsa, &err);
    if (st == VP_ERR_NOMEM)
        return *fatal = err, st;
    if (st) {
        report(r, VP_DOCTOR_FAIL, VP_DOCTOR_CRYPTO, "signer", "%s", err.message);
    } else if (!s) {
        report(r, VP_DOCTOR_WARN, VP_DOCTOR_CRYPTO, "signer", "no \"signer\" in %s: pack then needs --key and --cert",
               r->opt->config_path);
    } else {
        X509 *cert = signer_cert(s);
        vp_signer_subject(s, subject, sizeof subject);
        if (!cert)
            report(r, VP_DOCTOR_FAIL, VP_DOCTOR_CRYPTO, "signer", "the signer's certificate cannot be read");
        else if (sign_and_check(s, cert, why, sizeof why))
            report(r, VP_DOCTOR_FAIL, VP_DOCTOR_CRYPTO, "signer", "%s key of %s: %s", vp_signer_key_kind(s), subject,
                   why);
        else
            report(r, VP_DOCTOR_OK, VP_DOCTOR_CRYPTO, "signer", "%s key (%s%s%s) signs for %s",
                   vp_signer_key_kind(s), vp_signer_key_type(s) == VP_KEY_RSA ? "RSA" : "ECDSA P-256",
                   vp_signer_key_ref(s)[0] ? ", " : "", vp_signer_key_ref(s), subject);
        if (cert)
            check_certificate(r, cert);
        X509_free(cert);
        vp_trust_anchor ta;
        if (vp_signer_trust_anchor(s, ss->ca, &ta, &err))
            report(r, VP_DOCTOR_FAIL, VP_DOCTOR_CRYPTO, "ca", "%s", err.message);
        else if (!ta.known)
            report(r, VP_DOCTOR_WARN, VP_DOCTOR_CRYPTO, "ca", "no signer/ca: README.txt will tell auditors to obtain "
                   "the CA's fingerprint from your organization");
        else
            report(r, VP_DOCTOR_OK, VP_DOCTOR_CRYPTO, "ca", "%s (SHA-256 %s) issued the signer", ta.subject,
                   ta.sha256_fingerprint);
        vp_signer_free(s);
    }
    if (tsa)
        check_tsa(r, tsa);
    else
        report(r, VP_DOCTOR_OK, VP_DOCTOR_CRYPTO, "tsa", "none configured: bundles carry no RFC 3161 time-stamp");
    return VP_OK;
}

/* ---- the archive ---- */

/* Whether a file can be created in dir: made and removed, since access(2) cannot tell a
 * read-only mount (ProtectSystem=strict) or an ACL apart. */
static int can_create_in(const char *dir, char *why, size_t size)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/.vaultproof-doctor-XXXXXX", dir) >= sizeof path) {
        snprintf(why, size, "path too long");
        return 0;
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(why, size, "cannot create a file in %s: %s", dir, strerror(errno));
        return 0;
    }
    close(fd);
    unlink(path);
    return 1;
}

static void check_archive(run_ctx *r)
{
    const char *dir = r->opt->archive_dir;
    char why[4200], parent[4096];
    struct stat st;
    if (!dir) {
        report(r, VP_DOCTOR_WARN, VP_DOCTOR_IO, "archive", "not checked: give --out ARCHIVE_DIR (pack's --out)");
        return;
    }
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            report(r, VP_DOCTOR_FAIL, VP_DOCTOR_IO, "archive", "%s is not a directory", dir);
        else if (can_create_in(dir, why, sizeof why))
            report(r, VP_DOCTOR_OK, VP_DOCTOR_IO, "archive", "%s is writable", dir);
        else
            report(r, VP_DOCTOR_FAIL, VP_DOCTOR_IO, "archive", "%s", why);
        return;
    }
    /* the first pack creates the archive directory: its parent must take it */
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent)
        *slash = '\0';
    else
        snprintf(parent, sizeof parent, "%s", slash ? "/" : ".");
    if (can_create_in(parent, why, sizeof why))
        report(r, VP_DOCTOR_OK, VP_DOCTOR_IO, "archive", "%s does not exist yet; the first pack creates it", dir);
    else
        report(r, VP_DOCTOR_FAIL, VP_DOCTOR_IO, "archive", "%s does not exist and %s", dir, why);
}

/* The archive container (pack --archive-url, config archive): readable with the storage
 * credential or SAS pack will use (a one-name listing), and its immutability policy, read
 * through ARM as pack reads it before signing. Writing is not probed: a probe blob in a
 * locked container could never be deleted again. */
static vp_status check_archive_url(run_ctx *r, const vp_config *cfg, const char *url, vp_error *fatal)
{
    const vp_doctor_options *o = r->opt;
    const vp_archive_settings *a = vp_config_archive(cfg);
    const vp_live_settings *live = vp_config_live(cfg);
    vp_blob_url u;
    vp_error err = {0};
    vp_az_client *storage = NULL, *arm = NULL;
    char label[512], id[1024];
    vp_az_url_label(url, label, sizeof label);
    if (vp_blob_url_parse(url, &u, &err)) {
        report(r, VP_DOCTOR_FAIL, VP_DOCTOR_AZURE, "archive-url", "%s", err.message);
        return VP_OK;
    }
    vp_az_client_options so = {.cloud = live->cloud, .authority_host = o->authority_host, .ca_bundle = o->ca_bundle,
                               .resource = "https://storage.azure.com", .sas_env = a->sas_env};
    vp_status st = vp_az_client_new(&so, &storage, &err);
    char **names = NULL;
    size_t count = 0;
    if (!st)
        st = vp_blob_list(storage, &u, 1, &names, &count, &err);
    vp_blob_list_free(names, count);
    vp_az_client_free(storage);
    if (st == VP_ERR_NOMEM)
        return *fatal = err, st;
    if (st)
        report(r, VP_DOCTOR_FAIL, VP_DOCTOR_AZURE, "archive-url", "%s: cannot list the container: %s", label,
               err.message);
    else
        report(r, VP_DOCTOR_OK, VP_DOCTOR_AZURE, "archive-url", "%s: listed with %s (writing is not probed: a "
               "probe blob in a locked container could never be deleted)", label, a->sas_env ? "the SAS" : "a token");

    const char *arm_endpoint = o->arm_endpoint ? o->arm_endpoint : vp_az_cloud_arm(live->cloud);
    vp_az_client_options ao = {.cloud = live->cloud, .authority_host = o->authority_host, .ca_bundle = o->ca_bundle,
                               .token_file = o->token_file};
    vp_blob_immutability pol;
    size_t n = o->subscription_count;
    const char *const *subs = n ? o->subscriptions : vp_config_subscriptions(cfg, &n);
    st = arm_endpoint ? vp_az_client_new(&ao, &arm, &err) : VP_ERR_USAGE;
    if (!st)
        st = vp_blob_archive_policy(arm, arm_endpoint, &u, a->storage_account_id, subs, n, id, sizeof id, &pol, &err);
    vp_az_client_free(arm);
    if (st == VP_ERR_NOMEM)
        return *fatal = err, st;
    if (st)
        report(r, VP_DOCTOR_FAIL, VP_DOCTOR_AZURE, "archive-policy", "%s: %s", label,
               arm_endpoint ? err.message : "no ARM endpoint for the config's cloud");
    else if (vp_blob_immutability_locked(&pol))
        report(r, VP_DOCTOR_OK, VP_DOCTOR_AZURE, "archive-policy", "%s: Locked time-based retention, %lld days",
               label, pol.days);
    else
        report(r, a->require_worm ? VP_DOCTOR_FAIL : VP_DOCTOR_WARN, VP_DOCTOR_AZURE, "archive-policy",
               "%s: %s%s: the evidence uploaded there can be deleted%s", label,
               pol.has_policy ? pol.state : "no time-based retention policy", pol.has_policy ? " policy" : "",
               a->require_worm ? " (archive.require_worm: pack would refuse it)" : "");
    return VP_OK;
}

vp_status vp_doctor_run(const vp_doctor_options *opt, vp_doctor_result *res, vp_error *err)
{
    run_ctx r = {opt, res};
    vp_config *cfg = NULL;
    vp_error cerr = {0};
    memset(res, 0, sizeof *res);
    if (!opt->config_path || !opt->report)
        return vp_error_set(err, VP_ERR_USAGE, "doctor: a config path and a report callback are required");
    vp_status st = vp_config_load(opt->config_path, &cfg, &cerr);
    if (st == VP_ERR_NOMEM)
        return *err = cerr, st;
    if (st) {
        report(&r, VP_DOCTOR_FAIL, VP_DOCTOR_CONFIG, "config", "%s", cerr.message);
        return VP_OK;
    }
    size_t subs = 0;
    vp_config_subscriptions(cfg, &subs);
    report(&r, VP_DOCTOR_OK, VP_DOCTOR_CONFIG, "config", "%s loads (organization \"%s\", %zu subscription%s in scope)",
           opt->config_path, vp_config_organization(cfg) ? vp_config_organization(cfg) : "",
           opt->subscription_count ? opt->subscription_count : subs,
           (opt->subscription_count ? opt->subscription_count : subs) == 1 ? "" : "s");
    if (!(st = check_azure(&r, cfg, err)) && !(st = check_signer(&r, cfg, err))) {
        check_archive(&r);
        const char *url = opt->archive_url ? opt->archive_url : vp_config_archive(cfg)->url;
        if (url)
            st = check_archive_url(&r, cfg, url, err);
    }
    vp_config_free(cfg);
    return st;
}

int vp_doctor_exit_code(const vp_doctor_result *res)
{
    static const vp_status by_area[VP_DOCTOR_AREA_COUNT] = {VP_ERR_INPUT, VP_ERR_COLLECT, VP_ERR_CRYPTO, VP_ERR_IO};
    for (int a = 0; a < VP_DOCTOR_AREA_COUNT; a++)
        if (res->failed[a])
            return vp_exit_code(by_area[a]);
    return 0;
}
