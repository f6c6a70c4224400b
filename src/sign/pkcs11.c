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
    size_t need = 0; /* "name=value" each, ';' between them, the NUL */
    for (size_t i = 0; i < REF_ATTR_COUNT; i++)
        need += val[i] ? (need ? 1 : 0) + strlen(ref_attrs[i]) + 1 + len[i] : 0;
    need++;
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

typedef enum { LOAD_FAILED, LOAD_NOT_FOUND, LOAD_PIN_REFUSED, LOAD_PIN_LOCKED, LOAD_NO_MODULE } load_failure;

/* Why ENGINE_load_private_key failed, from OpenSSL's error queue (emptied): the PIN,
 * the module (libp11 loads it at the first key, not at ENGINE_init), or no such key;
 * else LOAD_FAILED with the first reason in reason. */
static load_failure why_not_loaded(char *reason, size_t size)
{
    unsigned long e;
    load_failure why = LOAD_FAILED;
    reason[0] = '\0';
    while ((e = ERR_get_error()) != 0) {
        const char *lib = ERR_lib_error_string(e), *text = ERR_reason_error_string(e);
        unsigned long code = (unsigned long)ERR_GET_REASON(e);
        if (lib && !strcmp(lib, "PKCS#11 module") && code >= CKR_PIN_INCORRECT_ && code <= CKR_PIN_LOCKED_)
            why = code == CKR_PIN_LOCKED_ ? LOAD_PIN_LOCKED : LOAD_PIN_REFUSED;
        else if (why == LOAD_FAILED && lib && !strcmp(lib, "libp11") && text && strstr(text, "load PKCS#11 module"))
            why = LOAD_NO_MODULE;
        else if (why == LOAD_FAILED && text && !strcmp(text, "object not found"))
            why = LOAD_NOT_FOUND;
        if (!reason[0])
            ERR_error_string_n(e, reason, size);
    }
    return why;
}

/* An ENGINE handle of our own, with the module chosen and initialized. ENGINE_by_id
 * loads pkcs11.so from OpenSSL's engines directory (OpenSSL lists it among its engines,
 * as any engine loaded by id); nothing is made a default (no ENGINE_set_default), so only
 * the key loaded through this handle uses the token, and every other hash, signature or
 * verification stays with OpenSSL's providers. */
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
        vp_error_set(err, VP_ERR_CRYPTO, "signer key %s: OpenSSL's pkcs11 engine does not initialize", label);
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
        char reason[256];
        const char *mod = module ? module : "libp11's default module (p11-kit-proxy)";
        load_failure why = why_not_loaded(reason, sizeof reason);
        release_engine(e);
        switch (why) {
        case LOAD_PIN_LOCKED:
            return vp_error_set(err, VP_ERR_CRYPTO, "signer key %s: the token refused the PIN: it is locked (too "
                                "many wrong PINs); expected an unlocked user PIN", label);
        case LOAD_PIN_REFUSED:
            return vp_error_set(err, VP_ERR_CRYPTO, "signer key %s: the token refused the PIN; expected the token's "
                                "user PIN", label);
        case LOAD_NO_MODULE:
            return vp_error_set(err, VP_ERR_CRYPTO, "signer key %s: cannot load the PKCS#11 module %s; expected a "
                                "PKCS#11 module (.so) that loads", label, mod);
        case LOAD_NOT_FOUND:
            return vp_error_set(err, VP_ERR_CRYPTO, "signer key %s: no such private key found through %s; expected "
                                "a token with that label holding a private key with that label or id (pkcs11-tool "
                                "--list-objects)", label, mod);
        default:
            return vp_error_set(err, VP_ERR_CRYPTO, "signer key %s: the pkcs11 engine could not load the key through "
                                "%s (OpenSSL: %s)", label, mod, reason[0] ? reason : "no reason given");
        }
    }
    ERR_clear_error();
    return vps_signer_assemble(key, label, cert_path, chain_path, "pkcs11", ref, release_engine, e, out, err);
}
