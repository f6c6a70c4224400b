/* The RS256 client assertion a certificate principal presents to Entra ID instead of
 * a secret (RFC 7523): header {alg, typ, x5t#S256}, claims aud/iss/sub/jti/nbf/iat/exp,
 * signed with the certificate's private key. The key and certificate are loaded by
 * the signer loader of vaultproof/keys.h (same file-mode rule as pack's signer, PEM or
 * PKCS#12), which also makes the signature. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "live/internal.h"
#include "vaultproof/keys.h"

char *vpv_base64url(const unsigned char *data, size_t len)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = malloc(len / 3 * 4 + 5), *o = out;
    if (!out)
        return NULL;
    size_t i = 0;
    for (; i + 2 < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8 | data[i + 2];
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = alphabet[v >> 6 & 63];
        *o++ = alphabet[v & 63];
    }
    if (len - i == 1) {
        unsigned v = (unsigned)data[i] << 16;
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
    } else if (len - i == 2) {
        unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8;
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = alphabet[v >> 6 & 63];
    }
    *o = '\0';
    return out;
}

unsigned char *vpv_base64url_decode(const char *s, size_t n, size_t *len)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char *out = malloc(n + 1);
    unsigned v = 0;
    int bits = 0;
    size_t o = 0;
    if (!out)
        return NULL;
    while (n && s[n - 1] == '=')
        n--;
    for (size_t i = 0; i < n; i++) {
        const char *f = s[i] ? strchr(alphabet, s[i]) : NULL;
        if (!f) {
            free(out);
            return NULL;
        }
        v = v << 6 | (unsigned)(f - alphabet);
        if ((bits += 6) >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(v >> bits);
        }
    }
    out[o] = '\0';
    *len = o;
    return out;
}

static char *b64url_str(const char *s)
{
    return vpv_base64url((const unsigned char *)s, strlen(s));
}

/* JSON string content for the few values we embed (ids, URLs): escape what JSON needs. */
static void json_escape(const char *s, char *out, size_t size)
{
    size_t o = 0;
    for (; *s && o + 7 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            o += (size_t)snprintf(out + o, size - o, "\\%c", c);
        else if (c < 0x20)
            o += (size_t)snprintf(out + o, size - o, "\\u%04x", c);
        else
            out[o++] = (char)c;
    }
    out[o] = '\0';
}

vp_status vpv_jwt_assertion(const vp_signer *signer, const char *client_id, const char *audience, long long now_epoch,
                           const char *jti, char **out, vp_error *err)
{
    unsigned char *der = NULL, digest[32], *sig = NULL;
    char header[256], claims[2048], id[256], aud[1024], idj[256];
    char *h64 = NULL, *c64 = NULL, *x5t = NULL, *s64 = NULL, *input = NULL;
    size_t derlen = 0, siglen = 0;
    vp_status st = VP_OK;

    *out = NULL;
    if ((st = vp_signer_cert_der(signer, &der, &derlen, err)) == VP_ERR_NOMEM)
        goto done;
    if (st || !EVP_Digest(der, derlen, digest, NULL, EVP_sha256(), NULL)) {
        st = vp_error_set(err, VP_ERR_CRYPTO, "client certificate: cannot encode it to compute its thumbprint");
        goto done;
    }
    if (!(x5t = vpv_base64url(digest, sizeof digest)))
        goto nomem;
    json_escape(client_id, id, sizeof id);
    json_escape(audience, aud, sizeof aud);
    json_escape(jti, idj, sizeof idj);
    snprintf(header, sizeof header, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t#S256\":\"%s\"}", x5t);
    /* exp 10 minutes ahead: long enough for clock skew, short if it ever leaked */
    snprintf(claims, sizeof claims,
             "{\"aud\":\"%s\",\"iss\":\"%s\",\"sub\":\"%s\",\"jti\":\"%s\",\"nbf\":%lld,\"iat\":%lld,\"exp\":%lld}", aud,
             id, id, idj, now_epoch - 60, now_epoch, now_epoch + 600);
    if (!(h64 = b64url_str(header)) || !(c64 = b64url_str(claims)))
        goto nomem;
    size_t ilen = strlen(h64) + 1 + strlen(c64);
    if (!(input = malloc(ilen + 1)))
        goto nomem;
    snprintf(input, ilen + 1, "%s.%s", h64, c64);
    if (vp_signer_key_type(signer) != VP_KEY_RSA) {
        st = vp_error_set(err, VP_ERR_INPUT, "client certificate: the private key is not RSA; Entra ID client "
                          "assertions are signed with RS256");
        goto done;
    }
    if ((st = vp_signer_sign(signer, input, ilen, &sig, &siglen, err))) {
        if (st == VP_ERR_CRYPTO)
            st = vp_error_set(err, VP_ERR_CRYPTO, "client certificate: signing the client assertion failed");
        goto done;
    }
    if (!(s64 = vpv_base64url(sig, siglen)))
        goto nomem;
    size_t total = ilen + 1 + strlen(s64);
    if (!(*out = malloc(total + 1)))
        goto nomem;
    snprintf(*out, total + 1, "%s.%s", input, s64);
    goto done;
nomem:
    st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
done:
    free(der);
    free(sig);
    free(h64);
    free(c64);
    free(x5t);
    free(s64);
    free(input);
    return st;
}

vp_status vpv_load_certificate(const char *path, const char *password, vp_signer **out, vp_error *err)
{
    size_t n = strlen(path);
    int p12 = n > 4 && (strcasecmp(path + n - 4, ".p12") == 0 || strcasecmp(path + n - 4, ".pfx") == 0);
    /* a PEM principal holds certificate and key in one file: read both from it */
    vp_status st = vp_signer_load(path, p12 ? NULL : path, NULL, password, out, err);
    if (st)
        vp_error_prefix(err, "AZURE_CLIENT_CERTIFICATE_PATH");
    return st;
}
