/* The seal of a live recording (vaultproof/seal.h): written when a collection ends,
 * parsed and checked by pack --replay and verify. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaultproof/fileio.h"
#include "vaultproof/json.h"
#include "vaultproof/jsonw.h"
#include "vaultproof/seal.h"
#include "vaultproof/tsa.h"
#include "vaultproof/version.h"

int vp_seal_response_file(const char *rel)
{
    size_t n = strlen(rel);
    return n >= 5 && !strcmp(rel + n - 5, ".json") && rel[0] != '.' && !strstr(rel, "/.");
}

/* ---- the response files of a recording ---- */

typedef struct {
    char **v;
    size_t n;
} names;

static void names_free(names *l)
{
    vp_list_free(l->v, l->n);
    memset(l, 0, sizeof *l);
}

/* Every response file below root, sorted; hidden entries are not entered (the seal
 * itself is one). A symlink or special file where a response could be is refused: what
 * is sealed must be what a reader reads. */
static vp_status list_responses(const char *root, names *out, vp_error *err)
{
    return vp_list_files(root, VP_LIST_SKIP_HIDDEN, vp_seal_response_file, &out->v, &out->n, err);
}

/* Hashes root/rel through a descriptor that does not follow a link; sync: fsync it too,
 * so what the seal lists is on disk before the seal is. */
static vp_status hash_file(const char *root, const char *rel, int sync, char hex[65], long long *size, vp_error *err)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    struct stat sb;
    /* non-blocking: a FIFO swapped in after the listing must not hang the seal or its check */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return vp_error_set(err, errno == ENOENT ? VP_ERR_INPUT : VP_ERR_IO, "%s: cannot read: %s", path,
                            strerror(errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return vp_error_set(err, VP_ERR_INPUT, "%s: not a regular file; a recording holds regular files only", path);
    }
    vp_status st = vp_sha256_fd(fd, path, hex, size, err);
    if (!st && sync && fsync(fd) != 0)
        st = vp_error_set(err, VP_ERR_IO, "%s: cannot sync: %s", path, strerror(errno));
    close(fd);
    return st;
}

/* Every directory that holds a listed file (and root), synced once. */
static vp_status sync_dirs(const char *root, const names *files, vp_error *err)
{
    char last[4096] = "", dir[8192];
    vp_status st = vp_sync_dir(root, err);
    for (size_t i = 0; !st && i < files->n; i++) {
        const char *slash = strrchr(files->v[i], '/');
        size_t n = slash ? (size_t)(slash - files->v[i]) : 0;
        if (!n || (strlen(last) == n && !strncmp(last, files->v[i], n)))
            continue;
        snprintf(last, sizeof last, "%.*s", (int)n, files->v[i]);
        snprintf(dir, sizeof dir, "%s/%s", root, last);
        st = vp_sync_dir(dir, err);
    }
    return st;
}

/* ---- the capture window, from the sidecars ---- */

/* "Wed, 30 Sep 2026 02:00:01 GMT" (RFC 7231 IMF-fixdate) as epoch seconds; -1 when not. */
static long long http_date(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char mon[4] = "";
    int d, y, h, mi, se;
    if (!s || sscanf(s, "%*3s, %d %3s %d %d:%d:%d GMT", &d, mon, &y, &h, &mi, &se) != 6)
        return -1;
    const char *m = strlen(mon) == 3 ? strstr(months, mon) : NULL;
    if (!m || (m - months) % 3 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    return vp_days_from_civil(y, (unsigned)((m - months) / 3 + 1), (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
}

/* An RFC 3339 time in milliseconds (the sidecars' precision); -1 when malformed. */
static long long time_ms(const char *s)
{
    long long t, ms = 0;
    if (vp_time_parse(s, &t))
        return -1;
    const char *frac = strlen(s) > 19 && s[19] == '.' ? s + 20 : NULL;
    for (int i = 0; i < 3; i++)
        ms = ms * 10 + (frac && frac[i] >= '0' && frac[i] <= '9' ? frac[i] - '0' : 0);
    return t * 1000 + ms;
}

typedef struct {
    char from[40], to[40];      /* earliest requested_at, latest received_at (verbatim) */
    long long lo, hi, dlo, dhi; /* their times; the Date headers' */
} window;

/* The window the snapshot of the recording records (collection.captured_from and
 * captured_to: the earliest requested_at and the latest received_at of the sidecars),
 * here to the millisecond; the snapshot's is the same to the second, which is what a
 * verifier compares. And the range of the responses' own Date headers, ARM's clock
 * rather than the collector's. */
static void capture_window(const char *root, const names *files, window *w)
{
    memset(w, 0, sizeof *w);
    w->dlo = w->dhi = -1;
    for (size_t i = 0; i < files->n; i++) {
        size_t n = strlen(files->v[i]);
        char path[8192], *data = NULL;
        size_t len = 0;
        cJSON *root_json = NULL;
        vp_error ignored;
        long long t;
        if (n < 10 || strcmp(files->v[i] + n - 10, ".meta.json"))
            continue;
        snprintf(path, sizeof path, "%s/%s", root, files->v[i]);
        if (vp_read_file(path, &data, &len, &ignored) || vp_json_parse(path, data, len, &root_json, &ignored)) {
            free(data);
            continue; /* not a sidecar the snapshot would read either: it refuses it */
        }
        const cJSON *rq = cJSON_GetObjectItemCaseSensitive(root_json, "requested_at");
        const cJSON *rc = cJSON_GetObjectItemCaseSensitive(root_json, "received_at");
        const cJSON *hd = cJSON_GetObjectItemCaseSensitive(root_json, "headers");
        const cJSON *dt = cJSON_GetObjectItemCaseSensitive(hd, "date");
        if (cJSON_IsString(rq) && (t = time_ms(rq->valuestring)) >= 0 && (!w->from[0] || t < w->lo)) {
            w->lo = t;
            snprintf(w->from, sizeof w->from, "%s", rq->valuestring);
        }
        if (cJSON_IsString(rc) && (t = time_ms(rc->valuestring)) >= 0 && (!w->to[0] || t > w->hi)) {
            w->hi = t;
            snprintf(w->to, sizeof w->to, "%s", rc->valuestring);
        }
        if (cJSON_IsString(dt) && (t = http_date(dt->valuestring)) >= 0) {
            if (w->dlo < 0 || t < w->dlo)
                w->dlo = t;
            if (w->dhi < 0 || t > w->dhi)
                w->dhi = t;
        }
        cJSON_Delete(root_json);
        free(data);
    }
}

/* ---- writing ---- */

static vp_status build_document(const char *root, const names *files, const vp_seal_capture *cap, char **doc,
                                size_t *doc_len, vp_error *err)
{
    window win;
    char sealed[32], d1[32], d2[32];
    FILE *fp = open_memstream(doc, doc_len);
    vp_jsonw *w = malloc(sizeof *w); /* 64 KiB buffer: not on the stack */
    vp_status st = VP_OK;
    if (!fp || !w) {
        if (fp)
            fclose(fp);
        free(w);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    capture_window(root, files, &win);
    vp_jw_init(w, fp);
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "format", VP_SEAL_FORMAT);
    vp_jw_tool(w, VP_JW_PRETTY, vp_version(), vp_commit());
    vp_jw_key(w, "collector");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "principal", cap->principal && *cap->principal ? cap->principal : NULL);
    vp_jw_kstring(w, "credential", cap->credential && *cap->credential ? cap->credential : NULL);
    vp_jw_kstring(w, "arm_endpoint", cap->arm_endpoint && *cap->arm_endpoint ? cap->arm_endpoint : NULL);
    vp_jw_end(w);
    vp_jw_key(w, "capture");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kstring(w, "captured_from", win.from[0] ? win.from : NULL);
    vp_jw_kstring(w, "captured_to", win.to[0] ? win.to : NULL);
    vp_jw_kstring(w, "first_date_header", win.dlo >= 0 ? vp_time_format(win.dlo, d1, sizeof d1) : NULL);
    vp_jw_kstring(w, "last_date_header", win.dhi >= 0 ? vp_time_format(win.dhi, d2, sizeof d2) : NULL);
    vp_jw_kint(w, "requests", cap->requests);
    vp_jw_kbool(w, "complete", !cap->failure && !cap->failed_calls);
    vp_jw_kint(w, "failed_calls", (long long)cap->failed_calls);
    vp_jw_kstring(w, "error", cap->failure);
    vp_jw_end(w);
    vp_jw_kstring(w, "sealed_at", vp_time_format(cap->clock.epoch, sealed, sizeof sealed));
    vp_jw_key(w, "clock");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_kbool(w, "pinned", cap->clock.pinned);
    vp_jw_kstring(w, "source", cap->clock.from);
    vp_jw_end(w);
    vp_jw_key(w, "files");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t i = 0; !st && i < files->n; i++) {
        char hex[65];
        long long size = 0;
        if ((st = hash_file(root, files->v[i], 1, hex, &size, err)))
            break;
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "path", files->v[i]);
        vp_jw_kint(w, "size", size);
        vp_jw_kstring(w, "sha256", hex);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    vp_jw_end(w);
    if (!st)
        st = vp_jw_finish(w, VP_SEAL_DOC, err);
    free(w);
    if (fclose(fp) != 0 && !st)
        st = vp_error_set(err, VP_ERR_NOMEM, "%s: out of memory", VP_SEAL_DOC);
    if (st) {
        free(*doc);
        *doc = NULL;
    }
    return st;
}

static vp_status write_durably(const char *dir, const char *name, const void *data, size_t len, vp_error *err)
{
    char path[8192];
    vp_output *o = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    vp_status st = vp_output_open(path, &o, err);
    if (st)
        return st;
    if (len && fwrite(data, 1, len, vp_output_stream(o)) != len) {
        vp_output_abort(o);
        return vp_error_set(err, VP_ERR_IO, "%s: write failed", path);
    }
    return vp_output_commit(o, err);
}

/* The signature, with a TSA time-stamped twice as pack stamps manifest.json.p7s: a
 * signature-time-stamp inside it and a .tsr over its final bytes. All of it is made
 * before anything is written, so a failed signature or time-stamp leaves no seal; then
 * the document, the .tsr and, last, the signature: a seal without its signature is
 * incomplete, and refused as such. */
static vp_status sign_and_write(const char *dir, const char *doc, size_t doc_len, const vp_seal_capture *cap,
                                const vp_signer *signer, const char *tsa_url, const char *ca_bundle, vp_error *err)
{
    unsigned char *der = NULL, *stamped = NULL, *resp = NULL;
    size_t der_len = 0, stamped_len = 0, resp_len = 0;
    vp_tsa tsa = {tsa_url, ca_bundle, 0};
    vp_status st = vp_cms_sign_detached(signer, doc, doc_len, cap->clock.epoch, VP_CMS_DEFAULT, &der, &der_len, err);
    if (!st && tsa_url) {
        if (!(st = vp_cms_add_signature_timestamp(der, der_len, vp_tsa_token_fn, &tsa, &stamped, &stamped_len, err))) {
            free(der);
            der = stamped;
            der_len = stamped_len;
            if ((st = vp_tsa_stamp(&tsa, der, der_len, &resp, &resp_len, NULL, NULL, err)))
                vp_error_prefix(err, "%s", VP_SEAL_TSR);
        } else {
            vp_error_prefix(err, "%s", VP_SEAL_SIG);
        }
    }
    if (!st && mkdir(dir, 0755) != 0 && errno != EEXIST)
        st = vp_error_set(err, VP_ERR_IO, "%s: cannot create the seal directory: %s", dir, strerror(errno));
    if (!st)
        st = write_durably(dir, VP_SEAL_DOC, doc, doc_len, err);
    if (!st && resp)
        st = write_durably(dir, VP_SEAL_TSR, resp, resp_len, err);
    if (!st)
        st = write_durably(dir, VP_SEAL_SIG, der, der_len, err);
    free(der);
    free(resp);
    return st;
}

vp_status vp_seal_write(const char *record_dir, const char *seal_dir, const vp_seal_capture *cap,
                        const vp_signer *signer, const char *tsa_url, const char *ca_bundle, size_t *sealed_files,
                        vp_error *err)
{
    names files;
    char dir[4096], *doc = NULL;
    size_t doc_len = 0;
    if (sealed_files)
        *sealed_files = 0;
    if (seal_dir)
        snprintf(dir, sizeof dir, "%s", seal_dir);
    else if ((size_t)snprintf(dir, sizeof dir, "%s/%s", record_dir, VP_SEAL_DIR) >= sizeof dir)
        return vp_error_set(err, VP_ERR_IO, "%s: path too long", record_dir);
    vp_status st = list_responses(record_dir, &files, err);
    if (st || !files.n) { /* nothing was recorded: there is nothing to seal */
        names_free(&files);
        return st;
    }
    /* responses first, durably; the seal only names what is on disk */
    if (!(st = build_document(record_dir, &files, cap, &doc, &doc_len, err)) &&
        !(st = sync_dirs(record_dir, &files, err))) {
        char parent[4096];
        st = sign_and_write(dir, doc, doc_len, cap, signer, tsa_url, ca_bundle, err);
        vp_path_dir(dir, parent, sizeof parent);
        if (!st && !(st = vp_sync_dir(dir, err)))
            st = vp_sync_dir(parent, err);
    }
    if (!st && sealed_files)
        *sealed_files = files.n;
    free(doc);
    names_free(&files);
    return st;
}

/* ---- reading ---- */

static int is_hex64(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return 0;
    return n == 64;
}

/* Relative, '/'-separated, no empty, "." or ".." component: a path that stays below the
 * recording's root (and a bundle's raw/) whatever joins it. */
static int safe_path(const char *p)
{
    if (!*p || *p == '/')
        return 0;
    for (const char *c = p; *c;) {
        size_t n = strcspn(c, "/");
        if (!n || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return 0;
        c += n;
        if (*c == '/' && !*++c)
            return 0;
    }
    return 1;
}

static const char *opt_string(vp_jreader *r, const cJSON *o, const char *base, const char *key)
{
    const char *s = NULL;
    vp_jr_string(r, o, base, key, &s);
    return s;
}

static vp_status read_files(vp_jreader *r, const cJSON *arr, vp_seal *s)
{
    char p[64];
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (!(s->files = calloc(n + 1, sizeof *s->files)))
        return vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
    const cJSON *f;
    cJSON_ArrayForEach(f, arr)
    {
        vp_seal_file *sf = &s->files[s->file_count];
        vp_json_pointer_index(p, sizeof p, "/files", (int)s->file_count);
        if (!cJSON_IsObject(f))
            return vp_jr_fail(r, p, "an object {\"path\", \"size\", \"sha256\"}", f);
        sf->path = vp_jr_req_string(r, f, p, "path");
        sf->sha256 = vp_jr_req_string(r, f, p, "sha256");
        vp_jr_req_int(r, f, p, "size", 0, 1LL << 53, &sf->size);
        if (r->status)
            return r->status;
        if (!safe_path(sf->path) || !vp_seal_response_file(sf->path))
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/path: '%s'; expected a relative path of a response "
                                "file (*.json, no hidden, empty, '.' or '..' component)", r->file, p, sf->path);
        if (!is_hex64(sf->sha256))
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/sha256: expected 64 lowercase hex digits", r->file, p);
        if (s->file_count && strcmp(s->files[s->file_count - 1].path, sf->path) >= 0)
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: %s/path: '%s' after '%s'; expected the paths sorted "
                                "bytewise, each once", r->file, p, sf->path, s->files[s->file_count - 1].path);
        s->file_count++;
    }
    return VP_OK;
}

vp_status vp_seal_parse(const char *label, const char *data, size_t len, vp_seal **out, vp_error *err)
{
    cJSON *root = NULL;
    vp_jreader r = {.file = label, .err = err, .status = VP_OK};
    *out = NULL;
    vp_status st = vp_json_parse(label, data, len, &root, err);
    if (st)
        return st;
    vp_seal *s = calloc(1, sizeof *s);
    if (!s) {
        cJSON_Delete(root);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    s->root = root;
    if (!cJSON_IsObject(root)) {
        vp_jr_fail(&r, "", "a seal object", root);
        goto done;
    }
    const char *format = vp_jr_req_string(&r, root, "", "format");
    if (format && strcmp(format, VP_SEAL_FORMAT)) {
        vp_error_set(err, VP_ERR_INPUT, "%s: /format: '%s'; expected \"%s\"", label, format, VP_SEAL_FORMAT);
        r.status = VP_ERR_INPUT;
        goto done;
    }
    const cJSON *tool = vp_jr_req_object(&r, root, "", "tool");
    const cJSON *col = vp_jr_req_object(&r, root, "", "collector");
    const cJSON *cap = vp_jr_req_object(&r, root, "", "capture");
    const cJSON *clock = vp_jr_req_object(&r, root, "", "clock");
    const cJSON *files = vp_jr_req_array(&r, root, "", "files");
    if (r.status)
        goto done;
    s->tool_version = vp_jr_req_string(&r, tool, "/tool", "version");
    s->tool_commit = vp_jr_req_string(&r, tool, "/tool", "commit");
    s->principal = opt_string(&r, col, "/collector", "principal");
    s->credential = opt_string(&r, col, "/collector", "credential");
    s->arm_endpoint = opt_string(&r, col, "/collector", "arm_endpoint");
    s->captured_from = opt_string(&r, cap, "/capture", "captured_from");
    s->captured_to = opt_string(&r, cap, "/capture", "captured_to");
    s->first_date = opt_string(&r, cap, "/capture", "first_date_header");
    s->last_date = opt_string(&r, cap, "/capture", "last_date_header");
    vp_jr_req_int(&r, cap, "/capture", "requests", 0, 1LL << 53, &s->requests);
    s->complete = vp_jr_req_bool(&r, cap, "/capture", "complete");
    vp_jr_req_int(&r, cap, "/capture", "failed_calls", 0, 1LL << 53, &s->failed_calls);
    s->sealed_at = vp_jr_req_string(&r, root, "", "sealed_at");
    s->clock_pinned = vp_jr_req_bool(&r, clock, "/clock", "pinned");
    s->clock_source = opt_string(&r, clock, "/clock", "source");
    long long t;
    const char *times[][2] = {{"/capture/captured_from", s->captured_from},
                              {"/capture/captured_to", s->captured_to},
                              {"/sealed_at", s->sealed_at}};
    for (size_t i = 0; !r.status && i < sizeof times / sizeof times[0]; i++)
        if (times[i][1] && vp_time_parse(times[i][1], &t))
            r.status = vp_error_set(err, VP_ERR_INPUT, "%s: %s: '%s'; expected an RFC 3339 time", label, times[i][0],
                                    times[i][1]);
    if (!r.status)
        r.status = read_files(&r, files, s);
done:
    if (r.status) {
        vp_seal_free(s);
        return r.status;
    }
    *out = s;
    return VP_OK;
}

void vp_seal_free(vp_seal *s)
{
    if (!s)
        return;
    cJSON_Delete(s->root);
    free(s->files);
    free(s);
}

static int cmp_file_path(const void *key, const void *f)
{
    return strcmp(key, ((const vp_seal_file *)f)->path);
}

const vp_seal_file *vp_seal_find(const vp_seal *s, const char *path)
{
    return s->file_count ? bsearch(path, s->files, s->file_count, sizeof *s->files, cmp_file_path) : NULL;
}

vp_status vp_seal_verify_signature(const char *doc, size_t doc_len, const unsigned char *sig, size_t sig_len,
                                   const char *trust_ca, vp_cms_verdict *verdict, vp_error *err)
{
    vp_error e2 = {0};
    vp_status st = vp_cms_verify_detached(sig, sig_len, doc, doc_len, trust_ca, verdict, &e2);
    if (!verdict->signature_valid || !verdict->signing_cert_v2_match)
        return vp_error_set(err, st == VP_ERR_INPUT ? VP_ERR_INPUT : VP_ERR_CHECK,
                            "%s: the signature does not verify over %s: %s", VP_SEAL_SIG, VP_SEAL_DOC,
                            st ? e2.message : "signing-certificate-v2 missing or not the embedded certificate");
    if (st) {
        *err = e2;
        return st;
    }
    return VP_OK;
}

static vp_status read_seal_file(const char *dir, const char *name, unsigned long long max, char **data, size_t *len,
                                vp_error *err)
{
    char path[8192];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (unsigned long long)sb.st_size > max)
        return vp_error_set(err, VP_ERR_INPUT, "%s: %lld bytes, more than the %llu a seal may have", path,
                            (long long)sb.st_size, max);
    return vp_read_file(path, data, len, err);
}

#define CHANGED "the recording was changed after it was sealed"

/* The recording's files against the seal's list, merged in path order: the first
 * difference is the one named. */
static vp_status compare_files(const char *dir, const vp_seal *s, const names *files, vp_error *err)
{
    size_t i = 0, j = 0;
    while (i < s->file_count || j < files->n) {
        int c = i == s->file_count ? 1 : j == files->n ? -1 : strcmp(s->files[i].path, files->v[j]);
        if (c < 0)
            return vp_error_set(err, VP_ERR_CHECK, "%s/%s: listed in the seal but missing: " CHANGED, dir,
                                s->files[i].path);
        if (c > 0)
            return vp_error_set(err, VP_ERR_CHECK, "%s/%s: a response file the seal does not list: " CHANGED, dir,
                                files->v[j]);
        char hex[65];
        long long size = 0;
        vp_status st = hash_file(dir, files->v[j], 0, hex, &size, err);
        if (st)
            return st;
        if (size != s->files[i].size || strcmp(hex, s->files[i].sha256))
            return vp_error_set(err, VP_ERR_CHECK, "%s/%s: %s differs from the seal (%lld bytes, SHA-256 %.16s... "
                                "sealed; %lld bytes, %.16s... now): " CHANGED, dir, files->v[j],
                                size != s->files[i].size ? "size" : "SHA-256", s->files[i].size, s->files[i].sha256,
                                size, hex);
        i++;
        j++;
    }
    return VP_OK;
}

vp_status vp_seal_check_recording(const char *dir, vp_seal_loaded *out, int *present, vp_error *err)
{
    char sdir[4096];
    struct stat sb;
    names files = {0};
    vp_cms_verdict verdict;
    memset(out, 0, sizeof *out);
    *present = 0;
    if ((size_t)snprintf(sdir, sizeof sdir, "%s/%s", dir, VP_SEAL_DIR) >= sizeof sdir)
        return vp_error_set(err, VP_ERR_INPUT, "%s: path too long", dir);
    if (lstat(sdir, &sb) != 0 && errno == ENOENT)
        return VP_OK;
    *present = 1;
    if (lstat(sdir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return vp_error_set(err, VP_ERR_INPUT, "%s: expected the seal directory (not a link or file)", sdir);
    vp_status st = read_seal_file(sdir, VP_SEAL_DOC, VP_SEAL_MAX_DOC, &out->doc, &out->doc_len, err);
    if (!st)
        st = read_seal_file(sdir, VP_SEAL_SIG, VP_SEAL_MAX_SIG, &out->sig, &out->sig_len, err);
    if (st == VP_ERR_INPUT) /* a seal directory without its document or signature seals nothing */
        vp_error_prefix(err, "the recording's seal is incomplete");
    char tsr[8192];
    snprintf(tsr, sizeof tsr, "%s/%s", sdir, VP_SEAL_TSR);
    if (!st && lstat(tsr, &sb) == 0)
        st = read_seal_file(sdir, VP_SEAL_TSR, VP_SEAL_MAX_SIG, &out->tsr, &out->tsr_len, err);
    if (!st && (st = vp_seal_verify_signature(out->doc, out->doc_len, (unsigned char *)out->sig, out->sig_len, NULL,
                                              &verdict, err)) == VP_ERR_CHECK)
        vp_error_prefix(err, "%s", sdir);
    if (st == VP_ERR_CHECK) {
        char why[VP_ERROR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err->message);
        vp_error_set(err, VP_ERR_CHECK, "%s: " CHANGED, why);
    }
    if (!st && out->tsr) {
        vp_tsa_verdict tv;
        if ((st = vp_tsa_verify_response((unsigned char *)out->tsr, out->tsr_len, out->sig, out->sig_len, NULL, &tv,
                                         err)))
            vp_error_prefix(err, "%s/%s (over %s)", sdir, VP_SEAL_TSR, VP_SEAL_SIG);
    }
    if (!st) {
        char label[4200];
        snprintf(label, sizeof label, "%s/%s", sdir, VP_SEAL_DOC);
        st = vp_seal_parse(label, out->doc, out->doc_len, &out->seal, err);
    }
    if (!st)
        snprintf(out->signer_subject, sizeof out->signer_subject, "%s", verdict.signer_subject);
    if (!st && !(st = list_responses(dir, &files, err)))
        st = compare_files(dir, out->seal, &files, err);
    names_free(&files);
    if (st)
        vp_seal_loaded_free(out);
    return st;
}

void vp_seal_loaded_free(vp_seal_loaded *l)
{
    free(l->doc);
    free(l->sig);
    free(l->tsr);
    vp_seal_free(l->seal);
    memset(l, 0, sizeof *l);
}
