/*
 * Signers whose private key stays in a PKCS#11 token (an HSM, a smart card, SoftHSM):
 * the key is used through the token and never read into this process.
 *
 * Debian 12 ships OpenSSL 3.0 without a PKCS#11 provider (pkcs11-provider is only in
 * Debian 13), so the token is reached through libp11's ENGINE (package
 * libengine-pkcs11-openssl, engine id "pkcs11"). OpenSSL 3 deprecates the ENGINE API but
 * keeps it working; the deprecation warnings are silenced in this file only, since this
 * is the one place that needs it. An ENGINE key is an ordinary EVP_PKEY to the rest of
 * vaultproof: CMS, PAdES and ledger-line signatures go through EVP as with a file key.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <stdio.h>
#include <string.h>

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/ui.h>

#include "sign/internal.h"

/* ---- the URI (RFC 7512) ---- */

/* The attributes of a URI that name the key, in the order key_ref lists them: which
 * token, which object. Anything else that selects (type=private, library-*) is passed
 * to the engine as given but not recorded. */
static const char *const ref_attrs[] = {"token", "serial", "object", "id"};
#define REF_ATTR_COUNT (sizeof ref_attrs / sizeof ref_attrs[0])

/* Characters allowed in an attribute value as written in the URI (RFC 7512 pchar less
 * the separators; anything else is percent-encoded): keeps key_ref plain ASCII. */
static int value_char_ok(const char *p)
{
    unsigned char c = (unsigned char)*p;
    if (c == '%')
        return strchr("0123456789abcdefABCDEF", p[1]) && p[1] && strchr("0123456789abcdefABCDEF", p[2]) && p[2];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("-._~:[]@!$'()*+,=", c));
}

int vp_pkcs11_is_uri(const char *s)
{
    return s && strncmp(s, "pkcs11:", 7) == 0;
}

/* Appends "name=value" (value of length n) to ref, ';'-separated. */
static void ref_append(char *ref, size_t size, const char *name, const char *value, size_t n)
{
    size_t used = strlen(ref);
    snprintf(ref + used, size - used, "%s%s=%.*s", used ? ";" : "", name, (int)n, value);
}

vp_status vp_pkcs11_key_ref(const char *uri, char *ref, size_t size, vp_error *err)
{
    /* where each recorded attribute's value starts in uri, and its length */
    const char *val[REF_ATTR_COUNT] = {0};
    size_t len[REF_ATTR_COUNT] = {0};
    if (size)
        ref[0] = '\0';
    if (!vp_pkcs11_is_uri(uri))
        return vp_error_set(err, VP_ERR_INPUT, "PKCS#11 key: expected an RFC 7512 URI starting with \"pkcs11:\"");
    /* path attributes are ';'-separated, then after '?' query attributes '&'-separated */
    int in_query = 0;
    for (const char *p = uri + 7; *p;) {
        const char *name = p, *eq = NULL;
        while (*p && *p != ';' && *p != '&' && *p != '?') {
            if (*p == '=' && !eq)
                eq = p;
            p++;
        }
        const char *end = p;
        int is_query = in_query; /* query attributes (after '?') never name the key */
        if (*p == '?') {
            if (in_query)
                return vp_error_set(err, VP_ERR_INPUT, "PKCS#11 key URI: a second '?'; expected one query part");
            in_query = 1;
        } else if (*p == '&' && !in_query)
            return vp_error_set(err, VP_ERR_INPUT, "PKCS#11 key URI: '&' before '?'; expected path attributes "
                                                   "separated by ';'");
        if (*p)
            p++;
        if (end == name)
            continue; /* an empty attribute ("pkcs11:" alone, or ";;") selects nothing */
        size_t nlen = (size_t)((eq ? eq : end) - name);
        /* the PIN is read from an environment variable only: a URI is printed, logged and
         * kept in configs, so a PIN in it is refused, and its value never repeated */
        if ((nlen == 9 && !strncmp(name, "pin-value", 9)) || (nlen == 10 && !strncmp(name, "pin-source", 10)))
            return vp_error_set(err, VP_ERR_INPUT, "PKCS#11 key URI: carries a PIN (%.*s), which is refused; expected "
                                "the PIN in an environment variable (config: pin_env; command line: --pin-env, "
                                "default " VP_PKCS11_PIN_ENV ")", (int)nlen, name);
        if ((nlen == 11 && !strncmp(name, "module-path", 11)) || (nlen == 11 && !strncmp(name, "module-name", 11)))
            return vp_error_set(err, VP_ERR_INPUT, "PKCS#11 key URI: %.*s in the URI; expected the module as "
                                "pkcs11_module (config) or --pkcs11-module", (int)nlen, name);
        if (!eq)
            return vp_error_set(err, VP_ERR_INPUT, "PKCS#11 key URI: attribute '%.*s' has no '='; expected name=value",
                                (int)(nlen > 64 ? 64 : nlen), name);
        for (const char *v = eq + 1; v < end; v += *v == '%' ? 3 : 1)
            if (!value_char_ok(v) || (*v == '%' && v + 3 > end))
                return vp_error_set(err, VP_ERR_INPUT, "PKCS#11 key URI: attribute '%.*s': character %ld of its "
                                    "value is not allowed; expected it percent-encoded (RFC 7512)",
                                    (int)(nlen > 64 ? 64 : nlen), name, (long)(v - eq));
        for (size_t i = 0; i < REF_ATTR_COUNT; i++) {
            if (is_query)
                break;
            if (strlen(ref_attrs[i]) != nlen || strncmp(ref_attrs[i], name, nlen))
                continue;
            if (val[i])
                return vp_error_set(err, VP_ERR_INPUT, "PKCS#11 key URI: '%s' given twice; expected it once",
                                    ref_attrs[i]);
            val[i] = eq + 1;
            len[i] = (size_t)(end - eq - 1);
        }
    }
    if (!val[2] && !val[3])
        return vp_error_set(err, VP_ERR_INPUT, "PKCS#11 key URI: names no key; expected object=<label> or id=<hex> "
                                               "(and token=<label>)");
    size_t need = 1;
    for (size_t i = 0; i < REF_ATTR_COUNT; i++)
        need += val[i] ? strlen(ref_attrs[i]) + 2 + len[i] : 0;
    if (need > size)
        return vp_error_set(err, VP_ERR_INPUT, "PKCS#11 key URI: longer than %zu characters; expected a shorter "
                                               "token and object label", size);
    for (size_t i = 0; i < REF_ATTR_COUNT; i++)
        if (val[i])
            ref_append(ref, size, ref_attrs[i], val[i], len[i]);
    return VP_OK;
}

/* ---- the engine ---- */

static void release_engine(void *ctx)
{
    ENGINE *e = ctx;
    /* ENGINE_finish finalizes the module (C_Finalize): SoftHSM and other modules must be
     * finalized while the process still runs, not from OpenSSL's exit handler */
    ENGINE_finish(e);
    ENGINE_free(e);
}

/* CKR_PIN_INCORRECT .. CKR_PIN_LOCKED (PKCS#11 2.40, section 5.1): libp11 queues a
 * module's CKR code as the reason of its "PKCS#11 module" library. */
#define CKR_PIN_INCORRECT_ 0xA0UL
#define CKR_PIN_LOCKED_ 0xA4UL

/* Whether the token refused the PIN (1; 2 when it is locked), else 0; empties OpenSSL's
 * error queue. */
static int pin_refused(void)
{
    unsigned long e;
    int found = 0;
    while ((e = ERR_get_error()) != 0) {
        const char *lib = ERR_lib_error_string(e);
        unsigned long reason = (unsigned long)ERR_GET_REASON(e);
        if (lib && !strcmp(lib, "PKCS#11 module") && reason >= CKR_PIN_INCORRECT_ && reason <= CKR_PIN_LOCKED_)
            found = reason == CKR_PIN_LOCKED_ ? 2 : found ? found : 1;
    }
    return found;
}

/* An ENGINE handle of our own (ENGINE_by_id loads pkcs11.so from OpenSSL's engines
 * directory without adding it to the global list; nothing is made a default), with the
 * module chosen and initialized. */
static vp_status open_engine(const char *label, const char *module, ENGINE **out, vp_error *err)
{
    ENGINE *e = ENGINE_by_id("pkcs11");
    *out = NULL;
    if (!e) {
        vp_error_set(err, VP_ERR_CRYPTO, "signer key %s: OpenSSL's pkcs11 engine is not available; expected "
                                         "Debian's libengine-pkcs11-openssl (pkcs11.so in OpenSSL's engines "
                                         "directory)", label);
        return vps_ossl_reason(err);
    }
    /* libp11 prints its own diagnostics to stderr unless told not to; our message says
     * what failed */
    ENGINE_ctrl_cmd_string(e, "QUIET", NULL, 1);
    ERR_clear_error();
    if (module && !ENGINE_ctrl_cmd_string(e, "MODULE_PATH", module, 0)) {
        ENGINE_free(e);
        vp_error_set(err, VP_ERR_CRYPTO, "signer key %s: the pkcs11 engine refused the module %s", label, module);
        return vps_ossl_reason(err);
    }
    if (!ENGINE_init(e)) {
        ENGINE_free(e);
        vp_error_set(err, VP_ERR_CRYPTO, "signer key %s: cannot load the PKCS#11 module %s; expected a PKCS#11 "
                     "module (.so) that initializes", label, module ? module : "(libp11's default, p11-kit-proxy)");
        return vps_ossl_reason(err);
    }
    *out = e;
    return VP_OK;
}

vp_status vp_signer_load_pkcs11(const char *uri, const char *module, const char *pin, const char *cert_path,
                                const char *chain_path, vp_signer **out, vp_error *err)
{
    char ref[512], label[sizeof ref + 8];
    ENGINE *e = NULL;
    *out = NULL;
    vp_status st = vp_pkcs11_key_ref(uri, ref, sizeof ref, err);
    if (st)
        return st;
    /* every message names the key by what key_ref keeps: never a PIN or a module path */
    snprintf(label, sizeof label, "pkcs11:%s", ref);
    if (!pin || !*pin)
        return vp_error_set(err, VP_ERR_INPUT, "signer key %s: no PIN given; expected the token's PIN in an "
                            "environment variable", label);
    if (!cert_path)
        return vp_error_set(err, VP_ERR_USAGE, "signer key %s: expected a signer certificate (PEM) with it "
                            "(docs/signing.md: exporting it from the token)", label);
    if ((st = open_engine(label, module, &e, err)))
        return st;
    /* libp11 copies the PIN and clears its copy when the engine is freed */
    if (!ENGINE_ctrl_cmd_string(e, "PIN", pin, 0)) {
        release_engine(e);
        vp_error_set(err, VP_ERR_CRYPTO, "signer key %s: the pkcs11 engine did not take the PIN", label);
        return vps_ossl_reason(err);
    }
    /* UI_null: when the PIN is refused, fail; never prompt on a terminal */
    EVP_PKEY *key = ENGINE_load_private_key(e, uri, (UI_METHOD *)UI_null(), NULL);
    if (!key) {
        int pin_bad = pin_refused(); /* reads and clears the error queue */
        release_engine(e);
        if (pin_bad == 2)
            return vp_error_set(err, VP_ERR_CRYPTO, "signer key %s: the token refused the PIN: it is locked "
                                "(too many wrong PINs); expected an unlocked user PIN", label);
        if (pin_bad)
            return vp_error_set(err, VP_ERR_CRYPTO, "signer key %s: the token refused the PIN; expected the user "
                                "PIN of the token in the environment variable", label);
        return vp_error_set(err, VP_ERR_CRYPTO, "signer key %s: no such private key found through %s; expected a "
                            "token with that label holding a private key with that label or id (pkcs11-tool "
                            "--list-objects)", label, module ? module : "libp11's default module (p11-kit-proxy)");
    }
    ERR_clear_error();
    return vps_signer_assemble(key, label, cert_path, chain_path, "pkcs11", ref, release_engine, e, out, err);
}
