/* Recording: response bodies and their capture sidecars in the replay layout
 * (docs/replay-format.md), the vault directory naming rule, reading a recording's
 * provenance back, and removing a private recording. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/vec.h"
#include "live/internal.h"
#include "vaultproof/fileio.h"
#include "vaultproof/json.h"
#include "vaultproof/jsonw.h"

void vpv_vault_dirname(const char *name, char *out, size_t size)
{
    int safe = *name && strcmp(name, ".") && strcmp(name, "..");
    for (const char *p = name; *p && safe; p++)
        safe = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
               *p == '_' || *p == '.';
    if (safe) {
        snprintf(out, size, "%s", name);
        return;
    }
    char hex[65];
    vp_sha256_hex(name, strlen(name), hex);
    snprintf(out, size, "%s", hex);
}

void vpv_page_paths(const char *base, int page, char *body, char *sidecar, size_t size)
{
    if (page <= 1) {
        snprintf(body, size, "%s.json", base);
        snprintf(sidecar, size, "%s.meta.json", base);
    } else {
        snprintf(body, size, "%s.page-%04d.json", base, page);
        snprintf(sidecar, size, "%s.page-%04d.meta.json", base, page);
    }
}

static vp_status make_parents(const char *dir, const char *rel, vp_error *err)
{
    char path[8192];
    int n = snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (n < 0 || (size_t)n >= sizeof path)
        return vp_error_set(err, VP_ERR_IO, "%s/%s: path too long", dir, rel);
    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            vp_status st = vp_error_set(err, VP_ERR_IO, "%s: cannot create directory: %s", path, strerror(errno));
            *p = '/';
            return st;
        }
        *p = '/';
    }
    return VP_OK;
}

/* Creates dir/rel (and its parents) for writing; path receives the full name. */
static vp_status create(const char *dir, const char *rel, char *path, size_t size, FILE **fp, vp_error *err)
{
    vp_status st = make_parents(dir, rel, err);
    if (st)
        return st;
    snprintf(path, size, "%s/%s", dir, rel);
    if (!(*fp = fopen(path, "wb")))
        return vp_error_set(err, VP_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return VP_OK;
}

vp_status vpv_write_body(const char *dir, const char *rel, const char *data, size_t len, vp_error *err)
{
    char path[8192];
    FILE *fp;
    vp_status st = create(dir, rel, path, sizeof path, &fp, err);
    if (st)
        return st;
    size_t w = len ? fwrite(data, 1, len, fp) : 0;
    int bad = w != len;
    if (fclose(fp) != 0 || bad)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return VP_OK;
}

vp_status vpv_write_sidecar(const char *dir, const char *rel, const vl_sidecar *s, vp_error *err)
{
    char path[8192], t1[32], t2[32];
    FILE *fp;
    vp_status st = create(dir, rel, path, sizeof path, &fp, err);
    if (st)
        return st;
    vp_jsonw *w = malloc(sizeof *w);
    if (!w) {
        fclose(fp);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    vp_jw_init(w, fp);
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "format", "vaultproof-capture/1");
    vp_jw_kstring(w, "method", s->method ? s->method : "GET");
    vp_jw_kstring(w, "url", s->url);
    if (s->request_body) /* only on a POST: GET sidecars keep their bytes */
        vp_jw_kstring(w, "request_body", s->request_body);
    vp_jw_kint(w, "status", s->status);
    vp_jw_kstring(w, "requested_at", vpv_rfc3339_ms(s->requested_ms, t1));
    vp_jw_kstring(w, "received_at", vpv_rfc3339_ms(s->received_ms, t2));
    vp_jw_kint(w, "retries", s->retries);
    vp_jw_key(w, "headers");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "x-ms-request-id", s->request_id && *s->request_id ? s->request_id : NULL);
    vp_jw_kstring(w, "x-ms-correlation-request-id", s->correlation_id && *s->correlation_id ? s->correlation_id : NULL);
    vp_jw_kstring(w, "date", s->date && *s->date ? s->date : NULL);
    vp_jw_end(w);
    vp_jw_key(w, "call");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "operation", s->operation);
    vp_jw_kstring(w, "scope", s->scope);
    vp_jw_kint(w, "page", s->page);
    vp_jw_kstring(w, "next_link", s->next_link);
    vp_jw_kbool(w, "complete", s->complete);
    vp_jw_kstring(w, "error", s->error);
    vp_jw_end(w);
    /* provenance of a live recording (optional keys, docs/live-collection.md) */
    vp_jw_kstring(w, "collector", "vaultproof-live");
    vp_jw_kstring(w, "credential", s->credential);
    vp_jw_kstring(w, "principal", s->principal && *s->principal ? s->principal : NULL);
    vp_jw_kstring(w, "principal_object_id", s->object_id && *s->object_id ? s->object_id : NULL);
    vp_jw_kstring(w, "principal_tenant_id", s->tenant_id && *s->tenant_id ? s->tenant_id : NULL);
    vp_jw_kstring(w, "principal_name", s->principal_name && *s->principal_name ? s->principal_name : NULL);
    vp_jw_end(w);
    st = vp_jw_finish(w, path, err);
    free(w);
    if (fclose(fp) != 0 && !st)
        st = vp_error_set(err, VP_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    return st;
}

/* ---- reading a recording's provenance back ---- */

/* The lexicographically first *.meta.json below dir (relative path), skipping hidden
 * entries and symlinks like the replay walk does. */
static int first_sidecar(const char *root, const char *rel, char *best, size_t size, int depth)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d || depth > 32) {
        if (d)
            closedir(d);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char child[4096], full[8192];
        struct stat sb;
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.')
            continue;
        snprintf(child, sizeof child, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, child);
        if (lstat(full, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            first_sidecar(root, child, best, size, depth + 1);
        } else if (S_ISREG(sb.st_mode) && n > 10 && !strcmp(e->d_name + n - 10, ".meta.json") &&
                   (!*best || strcmp(child, best) < 0)) {
            snprintf(best, size, "%s", child);
        }
    }
    closedir(d);
    return 0;
}

vp_status vp_live_capture_read(const char *dir, vp_live_capture_info *out, vp_error *err)
{
    char rel[4096] = "", path[8192];
    cJSON *root = NULL;
    memset(out, 0, sizeof *out);
    first_sidecar(dir, "", rel, sizeof rel, 0);
    if (!*rel)
        return VP_OK;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    vp_status st = vp_json_parse_file(path, &root, err);
    if (st)
        return st;
    const cJSON *collector = cJSON_GetObjectItemCaseSensitive(root, "collector");
    const cJSON *principal = cJSON_GetObjectItemCaseSensitive(root, "principal");
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(root, "url");
    out->is_live = cJSON_IsString(collector) && !strcmp(collector->valuestring, "vaultproof-live");
    if (out->is_live && cJSON_IsString(principal))
        snprintf(out->principal, sizeof out->principal, "%s", principal->valuestring);
    if (out->is_live && cJSON_IsString(url)) {
        const char *u = url->valuestring, *host = strstr(u, "://");
        size_t len = host ? strcspn(host + 3, "/?#") + (size_t)(host + 3 - u) : 0;
        snprintf(out->endpoint, sizeof out->endpoint, "%.*s", (int)len, u);
    }
    cJSON_Delete(root);
    return VP_OK;
}

vp_status vp_live_snapshot(const char *dir, const vp_collect_options *opt, vp_snapshot **out, vp_error *err)
{
    vp_live_capture_info info;
    vp_collect_options o = *opt;
    vp_status st = vp_live_capture_read(dir, &info, err);
    if (st)
        return st;
    o.source_kind = info.is_live ? "live" : "replay";
    o.input = info.is_live ? info.endpoint : opt->input ? opt->input : dir;
    o.principal = info.is_live ? info.principal : NULL;
    return vp_collect_replay(dir, &o, out, err); /* copies what it keeps of o */
}
