/*
 * The evidence ledger (see vaultproof/ledger.h and docs/ledger-format.md).
 *
 * Verification is the one source of truth: a line is good when it parses strictly,
 * every field is valid, re-serializing it gives back exactly its bytes (so there is one
 * byte form per entry), and its seq, prev and entry_sha256 are what the chain says.
 * Append builds the new line with the same writer and runs the same line check on it
 * before publishing, so it can never write something verify would reject.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaultproof/clock.h"
#include "vaultproof/fileio.h"
#include "vaultproof/json.h"
#include "vaultproof/jsonw.h"
#include "vaultproof/ledger.h"

#include "ledger/internal.h"

#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"
#define MAX_EXACT 9007199254740991LL /* 2^53 - 1: integers a double (cJSON) holds exactly */
#define MAX_TIME 253402300799LL      /* 9999-12-31T23:59:59Z: four-digit years only */

/* Serializes e as one canonical line (with its newline), using entry_hash as the value
 * of entry_sha256. *buf is malloc'd. */
static vp_status write_line(const vp_ledger_entry *e, const char *entry_hash, char **buf, size_t *len, vp_error *err)
{
    char when[32];
    vp_status st;
    *buf = NULL;
    *len = 0;
    vp_jsonw *w = malloc(sizeof *w); /* the writer has a 64 KiB buffer: keep it off the stack */
    FILE *fp = w ? open_memstream(buf, len) : NULL;
    if (!fp) {
        free(w);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory writing a ledger entry");
    }
    vp_jw_init(w, fp);
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "format", VP_LEDGER_FORMAT);
    vp_jw_kint(w, "seq", e->seq);
    vp_jw_kstring(w, "time", vp_time_format(e->time, when, sizeof when));
    vp_jw_kstring(w, "bundle", e->bundle);
    vp_jw_kstring(w, "bundle_sha256", e->bundle_sha256);
    vp_jw_kint(w, "bundle_bytes", e->bundle_bytes);
    vp_jw_kstring(w, "manifest_sha256", e->manifest_sha256);
    vp_jw_kstring(w, "period", e->period[0] ? e->period : NULL);
    vp_jw_kstring(w, "request_id", e->request_id[0] ? e->request_id : NULL);
    vp_jw_kstring(w, "result", e->result);
    vp_jw_kstring(w, "prev", e->prev);
    vp_jw_kstring(w, "entry_sha256", entry_hash);
    vp_jw_end(w);
    st = vp_jw_finish(w, "ledger entry", err);
    free(w);
    if (fclose(fp) != 0 && !st)
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory writing a ledger entry");
    if (st) {
        free(*buf);
        *buf = NULL;
    }
    return st;
}

static int is_hex64(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[64] == '\0';
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

/* The field rules shared by append (caller input) and verify (file content). Returns
 * NULL when e is valid, else what is wrong. Strings must already be NUL-terminated. */
static const char *check_fields(const vp_ledger_entry *e)
{
    if (e->time < 0 || e->time > MAX_TIME)
        return "time is out of range (expected 1970 to 9999)";
    if (!e->bundle[0] || strchr(e->bundle, '/') || !strcmp(e->bundle, ".") || !strcmp(e->bundle, "..") ||
        has_control(e->bundle))
        return "bundle must be a plain file name (no '/', no control characters)";
    if (!is_hex64(e->bundle_sha256))
        return "bundle_sha256 must be 64 lowercase hex digits";
    if (e->bundle_bytes < 0 || e->bundle_bytes > MAX_EXACT)
        return "bundle_bytes is out of range";
    if (!is_hex64(e->manifest_sha256))
        return "manifest_sha256 must be 64 lowercase hex digits";
    if (has_control(e->period) || has_control(e->request_id))
        return "period and request_id must not contain control characters";
    if (!e->result[0] || strspn(e->result, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(e->result))
        return "result must be a lowercase word (a-z, 0-9, '_', '-')";
    if (!is_hex64(e->prev))
        return "prev must be 64 lowercase hex digits";
    return NULL;
}

/* Reads string member key into dst (size bytes). A null value is accepted only when
 * nullable (dst becomes ""). Returns 0 or -1 with the reason in why. */
static int get_string(vp_jreader *r, const cJSON *root, const char *key, int nullable, char *dst, size_t size,
                      char *why, size_t why_size)
{
    const char *s = NULL;
    vp_presence p = vp_jr_string(r, root, "", key, &s);
    if (r->status)
        return -1;
    dst[0] = '\0';
    if (p == VP_NULL && nullable)
        return 0;
    if (p != VP_PRESENT) {
        snprintf(why, why_size, "member \"%s\" is %s", key, p == VP_NULL ? "null" : "missing");
        return -1;
    }
    if (!s[0] || strlen(s) >= size) { /* "" is not a value: null is */
        snprintf(why, why_size, "member \"%s\" is empty or longer than %zu bytes", key, size - 1);
        return -1;
    }
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

static int get_int(vp_jreader *r, const cJSON *root, const char *key, long long min, long long *out, char *why,
                   size_t why_size)
{
    vp_presence p = vp_jr_int(r, root, "", key, min, MAX_EXACT, out);
    if (r->status)
        return -1;
    if (p != VP_PRESENT) {
        snprintf(why, why_size, "member \"%s\" is %s", key, p == VP_NULL ? "null" : "missing");
        return -1;
    }
    return 0;
}

/* Reads the members of a parsed line into e. Returns 0, or -1 with the reason in why
 * (or in r->err for type errors). */
static int read_entry(vp_jreader *r, const cJSON *root, vp_ledger_entry *e, char *why, size_t ws)
{
    char format[32], when[32];
    if (!cJSON_IsObject(root)) {
        snprintf(why, ws, "not a JSON object");
        return -1;
    }
    if (get_string(r, root, "format", 0, format, sizeof format, why, ws) ||
        get_int(r, root, "seq", 1, &e->seq, why, ws) || get_string(r, root, "time", 0, when, sizeof when, why, ws) ||
        get_string(r, root, "bundle", 0, e->bundle, sizeof e->bundle, why, ws) ||
        get_string(r, root, "bundle_sha256", 0, e->bundle_sha256, sizeof e->bundle_sha256, why, ws) ||
        get_int(r, root, "bundle_bytes", 0, &e->bundle_bytes, why, ws) ||
        get_string(r, root, "manifest_sha256", 0, e->manifest_sha256, sizeof e->manifest_sha256, why, ws) ||
        get_string(r, root, "period", 1, e->period, sizeof e->period, why, ws) ||
        get_string(r, root, "request_id", 1, e->request_id, sizeof e->request_id, why, ws) ||
        get_string(r, root, "result", 0, e->result, sizeof e->result, why, ws) ||
        get_string(r, root, "prev", 0, e->prev, sizeof e->prev, why, ws) ||
        get_string(r, root, "entry_sha256", 0, e->entry_sha256, sizeof e->entry_sha256, why, ws))
        return -1;
    if (strcmp(format, VP_LEDGER_FORMAT) != 0) {
        snprintf(why, ws, "format is \"%s\", expected \"%s\"", format, VP_LEDGER_FORMAT);
        return -1;
    }
    if (vp_time_parse(when, &e->time) != 0) {
        snprintf(why, ws, "time \"%s\" is not RFC 3339", when);
        return -1;
    }
    return 0;
}

/* Checks one line (len bytes including its newline) as line number n whose prev must
 * be expect_prev. On success *e is the entry. Errors: VP_ERR_CHECK naming the line. */
static vp_status check_line(const char *label, long long n, const char *line, size_t len, const char *expect_prev,
                            vp_ledger_entry *e, vp_error *err)
{
    char jlabel[512], why[256] = "", hash[65];
    char *canon = NULL, *zeroed = NULL;
    size_t canon_len = 0, zeroed_len = 0;
    cJSON *root = NULL;
    vp_error perr = {0};
    vp_status st;

    memset(e, 0, sizeof *e);
    snprintf(jlabel, sizeof jlabel, "%s: line %lld", label, n);
    if (vp_json_parse(jlabel, line, len, &root, &perr))
        return vp_error_set(err, VP_ERR_CHECK, "%s", perr.message);
    vp_jreader r = {.file = jlabel, .err = &perr};
    int bad = read_entry(&r, root, e, why, sizeof why);
    cJSON_Delete(root);
    if (bad)
        return r.status ? vp_error_set(err, VP_ERR_CHECK, "%s", perr.message)
                        : vp_error_set(err, VP_ERR_CHECK, "%s: %s", jlabel, why);
    const char *bad_field = check_fields(e);
    if (bad_field)
        return vp_error_set(err, VP_ERR_CHECK, "%s: %s", jlabel, bad_field);
    if (!is_hex64(e->entry_sha256))
        return vp_error_set(err, VP_ERR_CHECK, "%s: entry_sha256 must be 64 lowercase hex digits", jlabel);
    if (e->seq != n)
        return vp_error_set(err, VP_ERR_CHECK, "%s: seq is %lld, expected %lld (lines removed or reordered)",
                            jlabel, e->seq, n);
    if (strcmp(e->prev, expect_prev) != 0)
        return vp_error_set(err, VP_ERR_CHECK,
                            "%s: prev is %s, expected %s (the previous line was changed, removed or reordered)",
                            jlabel, e->prev, expect_prev);
    /* One byte form per entry: otherwise a reformatted line could carry the same data. */
    if ((st = write_line(e, e->entry_sha256, &canon, &canon_len, err)))
        return st;
    if ((st = write_line(e, ZEROS, &zeroed, &zeroed_len, err))) {
        free(canon);
        return st;
    }
    vp_sha256_hex(zeroed, zeroed_len, hash);
    if (canon_len != len || memcmp(canon, line, len) != 0)
        st = vp_error_set(err, VP_ERR_CHECK, "%s: not in canonical form (member order, spacing or escaping differ)",
                          jlabel);
    else if (strcmp(hash, e->entry_sha256) != 0)
        st = vp_error_set(err, VP_ERR_CHECK, "%s: entry_sha256 is %s, but the line hashes to %s (line changed)",
                          jlabel, e->entry_sha256, hash);
    free(canon);
    free(zeroed);
    return st;
}

/* Verifies a whole ledger held in memory. When want is not NULL the first entry with
 * that bundle_sha256 is copied to *found and *have set. */
/* Every good entry, in order, when the caller wants them all (vp_ledger_entries). */
typedef struct {
    vp_ledger_entry *v;
    size_t n, cap;
} entry_list;

static int keep_entry(entry_list *all, const vp_ledger_entry *e)
{
    if (all->n == all->cap) {
        size_t cap = all->cap ? all->cap * 2 : 16;
        vp_ledger_entry *v = realloc(all->v, cap * sizeof *v);
        if (!v)
            return -1;
        all->v = v;
        all->cap = cap;
    }
    all->v[all->n++] = *e;
    return 0;
}

static vp_status scan(const char *label, const char *data, size_t len, vp_ledger_report *rep, const char *want,
                      vp_ledger_entry *found, int *have, entry_list *all, vp_error *err)
{
    const char *p = data, *end = len ? data + len : data; /* a new ledger is NULL, and NULL + 0 is undefined */
    vp_ledger_entry e;
    long long n = 0;

    memset(rep, 0, sizeof *rep);
    memcpy(rep->head_sha256, ZEROS, sizeof rep->head_sha256);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t line_len = nl ? (size_t)(nl + 1 - p) : 0;
        vp_status st = VP_OK;
        n++;
        if (!nl)
            st = vp_error_set(err, VP_ERR_CHECK, "%s: line %lld: no newline at the end: a partial (torn) line",
                              label, n);
        else
            st = check_line(label, n, p, line_len, rep->head_sha256, &e, err);
        if (st) {
            rep->bad_line = n;
            rep->entries = 0;
            return st;
        }
        vp_sha256_hex(p, line_len, rep->head_sha256);
        if (want && !*have && strcmp(e.bundle_sha256, want) == 0) {
            *found = e;
            *have = 1;
        }
        if (all && keep_entry(all, &e))
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        rep->last = e;
        rep->entries = n;
        p = nl + 1;
    }
    return VP_OK;
}

/* Reads the ledger; a missing file is an empty ledger only when missing_ok. */
static vp_status load(const char *path, int missing_ok, char **data, size_t *len, vp_error *err)
{
    struct stat sb;
    *data = NULL;
    *len = 0;
    if (missing_ok && stat(path, &sb) != 0 && errno == ENOENT)
        return VP_OK;
    return vp_read_file(path, data, len, err);
}

static vp_status verify_all(const char *path, vp_ledger_report *out, entry_list *all, vp_error *err)
{
    vp_ledger_report rep;
    char *data;
    size_t len;
    vp_status st = load(path, 0, &data, &len, err);
    if (!st)
        st = scan(path, data, len, &rep, NULL, NULL, NULL, all, err);
    else
        memset(&rep, 0, sizeof rep);
    free(data);
    if (out)
        *out = rep;
    return st;
}

vp_status vp_ledger_verify(const char *path, vp_ledger_report *out, vp_error *err)
{
    return verify_all(path, out, NULL, err);
}

vp_status vp_ledger_entries(const char *path, vp_ledger_entry **entries, size_t *count, vp_error *err)
{
    entry_list all = {0};
    vp_status st = verify_all(path, NULL, &all, err);
    if (st) {
        free(all.v);
        all.v = NULL;
        all.n = 0;
    }
    *entries = all.v;
    *count = all.n;
    return st;
}

vp_status vp_ledger_find(const char *path, const char *bundle_sha256, vp_ledger_entry *out, vp_error *err)
{
    char want[65];
    vp_ledger_report rep;
    char *data;
    size_t len;
    int have = 0;

    if (!bundle_sha256 || strlen(bundle_sha256) != 64)
        return vp_error_set(err, VP_ERR_USAGE, "bundle SHA-256 must be 64 hex digits");
    for (int i = 0; i < 64; i++)
        want[i] = (char)((bundle_sha256[i] >= 'A' && bundle_sha256[i] <= 'F') ? bundle_sha256[i] + 32
                                                                               : bundle_sha256[i]);
    want[64] = '\0';
    if (!is_hex64(want))
        return vp_error_set(err, VP_ERR_USAGE, "bundle SHA-256 must be 64 hex digits");
    vp_status st = load(path, 0, &data, &len, err);
    if (!st)
        st = scan(path, data, len, &rep, want, out, &have, NULL, err);
    free(data);
    if (!st && !have)
        st = vp_error_set(err, VP_ERR_CHECK, "%s: no entry for bundle sha256 %s", path, want);
    return st;
}

const vp_ledger_entry *vp_ledger_entry_by_bundle(const vp_ledger_entry *v, size_t n, const char *bundle)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].bundle, bundle) == 0)
            return &v[i];
    return NULL;
}

/* Copies the caller's fields, refusing strings that are not NUL-terminated in their
 * arrays, and sets the chain fields. */
static vp_status prepare(const vp_ledger_entry *e, const vp_ledger_report *rep, vp_ledger_entry *ne, vp_error *err)
{
    if (strnlen(e->bundle, sizeof e->bundle) == sizeof e->bundle ||
        strnlen(e->bundle_sha256, sizeof e->bundle_sha256) == sizeof e->bundle_sha256 ||
        strnlen(e->manifest_sha256, sizeof e->manifest_sha256) == sizeof e->manifest_sha256 ||
        strnlen(e->period, sizeof e->period) == sizeof e->period ||
        strnlen(e->request_id, sizeof e->request_id) == sizeof e->request_id ||
        strnlen(e->result, sizeof e->result) == sizeof e->result)
        return vp_error_set(err, VP_ERR_INPUT, "ledger entry: a string field is not NUL-terminated");
    *ne = *e;
    ne->seq = rep->entries + 1;
    memcpy(ne->prev, rep->head_sha256, sizeof ne->prev);
    memset(ne->entry_sha256, 0, sizeof ne->entry_sha256);
    const char *why = check_fields(ne);
    if (why)
        return vp_error_set(err, VP_ERR_INPUT, "ledger entry for %s: %s", ne->bundle, why);
    return VP_OK;
}

/* Writes old + line as the new ledger: temp file, fsync, rename (vp_output), then
 * fsync of the directory so the rename itself survives a crash. */
static vp_status publish(const char *path, int dfd, const char *old, size_t old_len, const char *line,
                         size_t line_len, vp_error *err)
{
    vp_output *o;
    vp_status st = vp_output_open(path, &o, err);
    if (st)
        return st;
    FILE *fp = vp_output_stream(o);
    if ((old_len && fwrite(old, 1, old_len, fp) != old_len) || fwrite(line, 1, line_len, fp) != line_len) {
        vp_output_abort(o);
        return vp_error_set(err, VP_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    }
    if ((st = vp_output_commit(o, err)))
        return st;
    if (fsync(dfd) != 0)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot sync its directory: %s", path, strerror(errno));
    return VP_OK;
}

static vp_status append(const char *path, const vp_ledger_entry *e, const vp_signer *signer, vp_ledger_entry *out,
                        vp_error *err)
{
    char dir[4096];
    char *old = NULL, *zeroed = NULL, *line = NULL;
    size_t old_len = 0, zeroed_len = 0, line_len = 0;
    vp_ledger_report rep;
    vp_ledger_entry ne, back;
    vp_error lerr = {0};
    vp_status st;

    vp_path_dir(path, dir, sizeof dir); /* locked, and synced after the rename */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot open directory %s: %s", path, dir, strerror(errno));
    /* Two appenders reading the same old ledger would each rename over the other's. */
    if (flock(dfd, LOCK_EX) != 0) {
        st = vp_error_set(err, VP_ERR_IO, "%s: cannot lock directory %s: %s", path, dir, strerror(errno));
        goto done;
    }
    if ((st = load(path, 1, &old, &old_len, err)))
        goto done;
    if ((st = scan(path, old, old_len, &rep, NULL, NULL, NULL, NULL, err))) {
        vp_error_prefix(err, "refusing to append to a ledger that does not verify");
        goto done;
    }
    if ((st = prepare(e, &rep, &ne, err)) || (st = write_line(&ne, ZEROS, &zeroed, &zeroed_len, err)))
        goto done;
    vp_sha256_hex(zeroed, zeroed_len, ne.entry_sha256);
    if ((st = write_line(&ne, ne.entry_sha256, &line, &line_len, err)))
        goto done;
    /* The same check verify will make (catches, e.g., invalid UTF-8 in a name). */
    if (check_line(path, ne.seq, line, line_len, rep.head_sha256, &back, &lerr)) {
        st = vp_error_set(err, VP_ERR_INPUT, "ledger entry for %s would not verify: %s", ne.bundle, lerr.message);
        goto done;
    }
    if (signer && (st = vpl_sign_line(path, ne.seq, ne.time, line, line_len, signer, err)))
        goto done;
    if ((st = publish(path, dfd, old, old_len, line, line_len, err)))
        goto done;
    if (out)
        *out = ne;
done:
    free(old);
    free(zeroed);
    free(line);
    close(dfd); /* releases the lock */
    return st;
}

vp_status vp_ledger_append(const char *path, const vp_ledger_entry *e, vp_ledger_entry *out, vp_error *err)
{
    return append(path, e, NULL, out, err);
}

vp_status vp_ledger_append_signed(const char *path, const vp_ledger_entry *e, const vp_signer *signer,
                                  vp_ledger_entry *out, vp_error *err)
{
    if (!signer)
        return vp_error_set(err, VP_ERR_USAGE, "%s: a signed append needs a signer", path);
    return append(path, e, signer, out, err);
}
