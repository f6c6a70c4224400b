/* First seen: the failing findings of the bundles an archive's ledger records, indexed
 * by finding key (rule, resource id) with the generation time of the first bundle, in
 * ledger order, failing it. Only the keys of failing findings are kept - a large
 * estate's bundle holds hundreds of thousands of findings, of which the failing ones
 * are a small part. */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/vec.h"
#include "vaultproof/archive.h"
#include "vaultproof/fileio.h"
#include "vaultproof/history.h"
#include "vaultproof/ledger.h"

typedef struct {
    const char *key;   /* rule, US (0x1f), resource id lowercased (ARM ids ignore case) */
    const char *first; /* generated_at of the first bundle it failed in */
    size_t order;      /* that bundle's position in the ledger (or the order of vp_history_add) */
} seen;

struct vp_history {
    vp_arena arena;
    VP_VEC(seen) keys;
    int sorted;        /* keys sorted and unique */
    size_t read, left_out, other_org;
    size_t next;       /* order of the next bundle or added finding */
    VP_VEC(const char *) notes;
};

static int by_key(const void *a, const void *b)
{
    return strcmp(((const seen *)a)->key, ((const seen *)b)->key);
}

/* Equal keys: the earliest in ledger order first (not the earliest time: a clock pinned
 * for a reproducible pack may say anything). */
static int by_key_order(const void *a, const void *b)
{
    const seen *x = a, *y = b;
    int c = by_key(a, b);
    return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

/* A finding's key into k (size bytes, enough for both and two more). */
static void key_into(char *k, size_t size, const char *rule, const char *resource_id)
{
    snprintf(k, size, "%s\x1f%s", rule ? rule : "", resource_id ? resource_id : "");
    for (char *p = strchr(k, '\x1f'); p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
}

static char *key_of(vp_arena *a, const char *rule, const char *resource_id)
{
    size_t need = strlen(rule ? rule : "") + strlen(resource_id ? resource_id : "") + 2;
    char *k = vpc_arena_alloc(a, need);
    if (k)
        key_into(k, need, rule, resource_id);
    return k;
}

vp_status vp_history_new(vp_history **out, vp_error *err)
{
    *out = calloc(1, sizeof **out);
    if (*out)
        (*out)->sorted = 1;
    return *out ? VP_OK : vp_error_set(err, VP_ERR_NOMEM, "out of memory");
}

/* Sorted by key, the first (ledger order) of each key kept. */
static void settle(vp_history *h)
{
    size_t n = 0;
    if (h->sorted)
        return;
    vp_sort(h->keys.v, h->keys.n, sizeof *h->keys.v, by_key_order);
    for (size_t i = 0; i < h->keys.n; i++)
        if (!n || strcmp(h->keys.v[n - 1].key, h->keys.v[i].key))
            h->keys.v[n++] = h->keys.v[i];
    h->keys.n = n;
    h->sorted = 1;
}

vp_status vp_history_add(vp_history *h, const char *rule, const char *resource_id, const char *generated_at,
                         vp_error *err)
{
    seen *s = VP_VEC_PUSH(h->keys);
    if (!s || !(s->key = key_of(&h->arena, rule, resource_id)) ||
        !(s->first = vpc_arena_strdup(&h->arena, generated_at ? generated_at : "")))
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    s->order = h->next++;
    h->sorted = 0;
    settle(h);
    return VP_OK;
}

const char *vp_history_first_seen(const vp_history *h, const char *rule, const char *resource_id)
{
    char buf[1024], *k = buf;
    if (!h || !h->sorted || !h->keys.n)
        return NULL; /* add and load leave the keys settled */
    size_t need = strlen(rule ? rule : "") + strlen(resource_id ? resource_id : "") + 2;
    if (need > sizeof buf && !(k = malloc(need)))
        return NULL;
    key_into(k, need, rule, resource_id);
    seen key = {k, NULL, 0};
    const seen *hit = vp_search(&key, h->keys.v, h->keys.n, sizeof *h->keys.v, by_key);
    if (k != buf)
        free(k);
    return hit ? hit->first : NULL;
}

void vp_history_counts(const vp_history *h, size_t *read, size_t *left_out, size_t *other_org)
{
    *read = h ? h->read : 0;
    *left_out = h ? h->left_out : 0;
    *other_org = h ? h->other_org : 0;
}

const char *const *vp_history_notes(const vp_history *h, size_t *count)
{
    *count = h ? h->notes.n : 0;
    return h ? (const char *const *)h->notes.v : NULL;
}

void vp_history_free(vp_history *h)
{
    if (!h)
        return;
    free(h->notes.v);
    free(h->keys.v);
    vpc_arena_free(&h->arena);
    free(h);
}

/* ---- reading one earlier bundle ---- */

typedef struct {
    unsigned char *findings; /* TOP/data/findings.json, taken from the scan */
    size_t len;
    int several_tops;
    char top[VP_ARCHIVE_MAX_NAME + 1];
} scan_ctx;

static vp_status keep_findings(const vp_archive_entry *e, int *keep, void *ctx, vp_error *err)
{
    scan_ctx *s = ctx;
    const char *slash = strchr(e->name, '/');
    size_t top = slash ? (size_t)(slash - e->name) : strlen(e->name);
    (void)err;
    if (!s->top[0] && top < sizeof s->top)
        memcpy(s->top, e->name, top);
    else if (strncmp(s->top, e->name, top) || s->top[top])
        s->several_tops = 1;
    *keep = e->kind == VP_ARCHIVE_FILE && slash && !strcmp(slash, "/data/findings.json");
    return VP_OK;
}

static vp_status take_findings(const vp_archive_entry *e, const char *sha256, unsigned char **data, size_t len,
                               void *ctx, vp_error *err)
{
    scan_ctx *s = ctx;
    (void)e, (void)sha256, (void)err;
    if (*data && !s->findings) {
        s->findings = *data;
        s->len = len;
        *data = NULL;
    }
    return VP_OK;
}

/* The findings file's bytes, handed to the findings reader (which takes a path) through
 * a private temporary file without a name (O_TMPFILE): nothing of the bundle gets a name
 * on disk, and a pack killed here leaves nothing behind. Where the file system cannot
 * make one, a mkstemp file is unlinked at once (a name for that instant only). */
static vp_status open_findings(const scan_ctx *s, const char *label, int *fd, vp_findings_file **out, vp_error *err)
{
    char tmpl[4096], path[64];
    const char *dir = getenv("TMPDIR");
    dir = dir && *dir ? dir : "/tmp";
    *fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (*fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        snprintf(tmpl, sizeof tmpl, "%s/vaultproof-history-XXXXXX", dir);
        if ((*fd = mkstemp(tmpl)) >= 0)
            unlink(tmpl);
    }
    if (*fd < 0)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot make a temporary file for its findings in %s: %s", label, dir,
                            strerror(errno));
    for (size_t off = 0; off < s->len;) {
        ssize_t n = write(*fd, s->findings + off, s->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return vp_error_set(err, VP_ERR_IO, "%s: cannot write its findings to a temporary file: %s", label,
                                strerror(errno));
        off += (size_t)n;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", *fd);
    vp_status st = vp_findings_file_open(path, out, err);
    return st ? vp_error_prefix(err, "%s: data/findings.json", label) : VP_OK;
}

static int same_org(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Indexes the failing findings of one verified bundle. Returns VP_OK, or the reason the
 * bundle is left out (in err; only VP_ERR_NOMEM stops the whole history). */
static vp_status index_findings(vp_history *h, const scan_ctx *s, const char *label, const char *organization,
                                vp_error *err)
{
    vp_findings_file *f = NULL;
    int fd = -1;
    vp_status st = open_findings(s, label, &fd, &f, err);
    if (st)
        goto done;
    const vp_findings_header *hdr = vp_findings_file_header(f);
    if (!same_org(hdr->organization, organization)) {
        h->other_org++;
        goto done;
    }
    const char *when = vpc_arena_strdup(&h->arena, hdr->generated_at ? hdr->generated_at : "");
    size_t before = h->keys.n;
    vp_findings_file_rewind_only(f, 1u << VP_FAIL, NULL);
    for (;;) {
        const vp_finding_record *rec;
        if ((st = vp_findings_file_next(f, &rec, err)) || !rec)
            break;
        if (rec->status != VP_FAIL)
            continue;
        seen *k = VP_VEC_PUSH(h->keys);
        if (!k || !when || !(k->key = key_of(&h->arena, rec->rule, rec->resource_id))) {
            st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
            break;
        }
        k->first = when;
        k->order = h->next;
    }
    if (st && st != VP_ERR_NOMEM) {
        h->keys.n = before; /* a bundle is used whole or not at all */
        vp_error_prefix(err, "%s", label);
    }
    h->sorted = 0;
    h->next++;
    if (!st)
        h->read++;
done:
    vp_findings_file_close(f);
    if (fd >= 0)
        close(fd);
    return st;
}

/* One ledger entry's bundle: hashed and read through one descriptor, so the bytes read
 * are the bytes whose hash was compared with the ledger. */
static vp_status read_bundle(vp_history *h, const char *dir, const vp_ledger_entry *e, const char *organization,
                             vp_error *err)
{
    char path[4096 + VP_LEDGER_NAME_MAX + 2], label[4096 + VP_LEDGER_NAME_MAX + 64], sha[65], fdpath[64];
    scan_ctx s = {0};
    struct stat sb;
    vp_status st;
    snprintf(path, sizeof path, "%s/%s", dir, e->bundle);
    snprintf(label, sizeof label, "ledger line %lld: %s", e->seq, path);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return vp_error_set(err, VP_ERR_INPUT, "%s: cannot open: %s", label, strerror(errno));
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        close(fd);
        return vp_error_set(err, VP_ERR_INPUT, "%s: not a regular file", label);
    }
    if ((st = vp_sha256_fd(fd, label, sha, NULL, err)))
        goto done;
    if (strcasecmp(sha, e->bundle_sha256)) {
        st = vp_error_set(err, VP_ERR_CHECK, "%s: its SHA-256 is %.16s..., the ledger records %.16s...; not used",
                          label, sha, e->bundle_sha256);
        goto done;
    }
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
    if ((st = vp_archive_scan(fdpath, keep_findings, take_findings, &s, NULL, err))) {
        vp_error_prefix(err, "%s", label);
        goto done;
    }
    if (!s.findings || s.several_tops) {
        st = vp_error_set(err, VP_ERR_INPUT, "%s: %s; not used", label,
                          s.several_tops ? "more than one top folder" : "no data/findings.json");
        goto done;
    }
    st = index_findings(h, &s, label, organization, err);
done:
    free(s.findings);
    close(fd);
    return st;
}

vp_status vp_history_load(const char *ledger_path, const char *organization, vp_history_note_fn note, void *note_ctx,
                          vp_history **out, vp_error *err)
{
    vp_ledger_entry *entries = NULL;
    size_t n = 0;
    char dir[4096];
    vp_history *h = NULL;
    *out = NULL;
    vp_status st = vp_ledger_entries(ledger_path, &entries, &n, err);
    if (st || (st = vp_history_new(&h, err)))
        goto done;
    vp_path_dir(ledger_path, dir, sizeof dir);
    for (size_t i = 0; i < n; i++) {
        vp_error why = {0};
        vp_status bst = read_bundle(h, dir, &entries[i], organization, &why);
        if (bst == VP_ERR_NOMEM) {
            *err = why;
            st = bst;
            goto done;
        }
        if (bst) {
            const char **kept = VP_VEC_PUSH(h->notes);
            h->left_out++;
            if (!kept || !(*kept = vpc_arena_strdup(&h->arena, why.message))) {
                st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
                goto done;
            }
            if (note)
                note(note_ctx, why.message);
        }
    }
    settle(h);
done:
    free(entries);
    if (st)
        vp_history_free(h);
    else
        *out = h;
    return st;
}
