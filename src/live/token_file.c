/* A pre-obtained access token: the JSON `az account get-access-token` prints
 * ({"accessToken": ..., "expiresOn": "2026-09-30 03:00:00.000000", "expires_on":
 * 1790737200, ...}). The token is a secret: the file's bytes are wiped after parsing. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "live/internal.h"
#include "vaultproof/fileio.h"
#include "vaultproof/json.h"

long long vpv_json_epoch(const cJSON *v)
{
    if (cJSON_IsNumber(v))
        return (long long)v->valuedouble;
    if (cJSON_IsString(v)) {
        char *end;
        long long n = strtoll(v->valuestring, &end, 10);
        return end != v->valuestring && *end == '\0' ? n : -1;
    }
    return -1;
}

void vpv_jwt_identity(const char *token, vl_identity *out)
{
    static const char *const keys[][2] = {{"appid", "azp"}, {"oid", NULL}, {"tid", NULL}, {"name", "app_displayname"}};
    char *fields[] = {out->client_id, out->object_id, out->tenant_id, out->name};
    size_t sizes[] = {sizeof out->client_id, sizeof out->object_id, sizeof out->tenant_id, sizeof out->name};
    size_t n = 0;
    memset(out, 0, sizeof *out);
    const char *p1 = token ? strchr(token, '.') : NULL, *p2 = p1 ? strchr(p1 + 1, '.') : NULL;
    unsigned char *claims_text = p2 ? vpv_base64url_decode(p1 + 1, (size_t)(p2 - p1 - 1), &n) : NULL;
    cJSON *claims = claims_text ? vpv_json_parse((const char *)claims_text, n) : NULL;
    for (size_t i = 0; claims && i < sizeof fields / sizeof fields[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(claims, keys[i][0]);
        if (!cJSON_IsString(v) && keys[i][1])
            v = cJSON_GetObjectItemCaseSensitive(claims, keys[i][1]);
        if (cJSON_IsString(v))
            snprintf(fields[i], sizes[i], "%s", v->valuestring);
    }
    cJSON_Delete(claims);
    free(claims_text);
}

/* The client id a JWT access token names (appid in v1 tokens, azp in v2). */
static void principal_from_jwt(const char *token, char *out, size_t size)
{
    vl_identity id;
    vpv_jwt_identity(token, &id);
    snprintf(out, size, "%s", id.client_id);
}

/* az prints expiresOn in local time: "2026-09-30 03:00:00.000000" */
static long long local_time(const char *s)
{
    struct tm tm = {0};
    if (sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_isdst = -1;
    return (long long)mktime(&tm);
}

vp_status vpv_token_file_read(const char *path, char **token, long long *expires, char *principal, size_t size,
                             vp_error *err)
{
    char *data = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    *token = NULL;
    vp_status st = vp_read_file(path, &data, &len, err);
    if (st)
        return st;
    if ((st = vp_json_parse(path, data, len, &root, err)))
        goto done;
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(root, "accessToken");
    if (!cJSON_IsString(tok))
        tok = cJSON_GetObjectItemCaseSensitive(root, "access_token");
    long long exp = vpv_json_epoch(cJSON_GetObjectItemCaseSensitive(root, "expires_on"));
    const cJSON *eo = cJSON_GetObjectItemCaseSensitive(root, "expiresOn");
    if (exp < 0 && cJSON_IsString(eo))
        exp = local_time(eo->valuestring);
    if (!cJSON_IsString(tok) || !*tok->valuestring) {
        st = vp_error_set(err, VP_ERR_INPUT, "%s: /accessToken: missing; expected the JSON `az account "
                          "get-access-token` prints (accessToken, expires_on or expiresOn)", path);
        goto done;
    }
    if (exp < 0) {
        st = vp_error_set(err, VP_ERR_INPUT, "%s: /expires_on: missing or not a time; expected epoch seconds "
                          "(expires_on) or \"YYYY-MM-DD HH:MM:SS\" (expiresOn)", path);
        goto done;
    }
    if (!(*token = strdup(tok->valuestring))) {
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        goto done;
    }
    *expires = exp;
    principal_from_jwt(*token, principal, size);
done:
    if (root && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "accessToken")))
        OPENSSL_cleanse(cJSON_GetObjectItemCaseSensitive(root, "accessToken")->valuestring,
                        strlen(cJSON_GetObjectItemCaseSensitive(root, "accessToken")->valuestring));
    cJSON_Delete(root);
    if (data) {
        OPENSSL_cleanse(data, len);
        free(data);
    }
    return st;
}
