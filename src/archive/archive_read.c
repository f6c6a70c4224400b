/* Reading untrusted .tar.gz bundles: validate everything, then (maybe) extract, or scan
 * (hash every file, keep the few asked for) without writing anything. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <zlib.h>

#include "vaultproof/archive.h"
#include "vaultproof/fileio.h"

#include "archive/pgzip.h"
#include "core/vec.h"
#include "archive/tarfmt.h"

#define BLOCK VPA_BLOCK
#define CHUNK 65536
#define MAX_EXT_HEADER 65536 /* pax / GNU long-name payloads; names are far smaller */

enum { K_IMPLICIT = 2 }; /* a parent directory seen only through its children */

typedef struct {
    char *key;
    int kind;
} slot;

/* Every name seen, and every implied parent, to refuse duplicates and collisions. */
typedef struct {
    slot *v;
    size_t cap, n;
} nameset;

typedef struct {
    FILE *in;
    z_stream zs;
    int zinit, zend;
    const char *path;
    vp_error *err;
    /* canonical-form check (vp_archive_scan with a form): every inflated byte is
     * deflated again as vp_archive_write would, and compared with the file */
    vp_archive_form *form;
    vpa_pgz *re;
    unsigned long long cmp_off, file_size;
    unsigned char ibuf[CHUNK];
} gzr;

typedef struct treader treader;
/* Called per file/dir entry; may consume content with tr_data(); the rest is skipped. */
typedef vp_status (*entry_fn)(treader *t, const vp_archive_entry *e, void *ctx);

struct treader {
    gzr g;
    nameset seen;
    char *ext_name;   /* name from a pax "path" record or a GNU 'L' entry, for the next header */
    int has_ext_size; /* a pax "size" record was seen */
    unsigned long long ext_size, remaining, index;
    unsigned char *ext_raw; /* canonical check: the pax header block and record as read */
    size_t ext_raw_len;
    int have_mtime;
    char *prev; /* canonical check: the previous entry's name (entries are sorted) */
};

/* ---- names ---- */

/* Copies a possibly hostile name for a message, escaping control bytes. */
static const char *shown(const char *s, size_t len, char *out, size_t outsz)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < outsz; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    out[o] = 0;
    return out;
}

static slot *set_find(nameset *s, const char *key)
{
    size_t i = vpc_hash(key, strlen(key)) & (s->cap - 1);
    while (s->v[i].key && strcmp(s->v[i].key, key))
        i = (i + 1) & (s->cap - 1);
    return &s->v[i];
}

static int set_grow(nameset *s)
{
    nameset bigger = {calloc(s->cap ? s->cap * 2 : 256, sizeof(slot)), s->cap ? s->cap * 2 : 256, s->n};
    if (!bigger.v)
        return -1;
    for (size_t i = 0; i < s->cap; i++)
        if (s->v[i].key)
            *set_find(&bigger, s->v[i].key) = s->v[i];
    free(s->v);
    *s = bigger;
    return 0;
}

/* Returns the slot for key, inserting it with kind -1 if new; NULL when out of memory. */
static slot *set_get(nameset *s, const char *key)
{
    if ((s->n + 1) * 2 > s->cap && set_grow(s))
        return NULL;
    slot *sl = set_find(s, key);
    if (!sl->key) {
        if (!(sl->key = strdup(key)))
            return NULL;
        sl->kind = -1;
        s->n++;
    }
    return sl;
}

static void set_free(nameset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->v[i].key);
    free(s->v);
}

static const char NO_COMPONENTS[] = "name has no components";

/* Rewrites raw into a relative path without "." or empty components. Returns NULL when
 * acceptable, else why not: such names could escape dest_dir or mean two things. */
static const char *normalise(const char *raw, size_t len, char *out)
{
    size_t o = 0;
    if (len == 0)
        return "empty name";
    if (len > VP_ARCHIVE_MAX_NAME)
        return "name too long";
    if (raw[0] == '/')
        return "absolute path";
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)raw[i] < 0x20 || raw[i] == 0x7f)
            return raw[i] ? "control character in name" : "NUL byte in name";
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && raw[j] != '/')
            j++;
        size_t clen = j - i;
        if (clen == 2 && raw[i] == '.' && raw[i + 1] == '.')
            return "'..' component";
        if (clen && !(clen == 1 && raw[i] == '.')) {
            if (o)
                out[o++] = '/';
            memcpy(out + o, raw + i, clen);
            o += clen;
        }
        i = j + 1;
    }
    out[o] = 0;
    return o ? NULL : NO_COMPONENTS;
}

/* Records name; refuses a second entry of the same name and a file where a directory
 * is implied (or the reverse), so extraction can never hit an existing path. */
static const char *record_name(nameset *s, char *name, int kind, int *nomem)
{
    slot *sl;
    for (char *p = strchr(name, '/'); p; p = strchr(p + 1, '/')) {
        *p = 0;
        sl = set_get(s, name);
        *p = '/';
        if (!sl)
            return *nomem = 1, "out of memory";
        if (sl->kind == VP_ARCHIVE_FILE)
            return "a parent directory is also a file entry";
        if (sl->kind == -1)
            sl->kind = K_IMPLICIT;
    }
    if (!(sl = set_get(s, name)))
        return *nomem = 1, "out of memory";
    if (sl->kind == -1 || (sl->kind == K_IMPLICIT && kind == VP_ARCHIVE_DIR)) {
        sl->kind = kind;
        return NULL;
    }
    return sl->kind == K_IMPLICIT ? "a file entry is also a parent directory" : "duplicate entry";
}

/* ---- gzip stream ---- */

/* Records the first place where the archive is not in canonical form. Not an error by
 * itself: the caller decides, after the content checks, how to report it. */
static void __attribute__((format(printf, 2, 3))) deviate(vp_archive_form *f, const char *fmt, ...)
{
    va_list ap;
    if (!f || f->deviation[0])
        return;
    va_start(ap, fmt);
    vsnprintf(f->deviation, sizeof f->deviation, fmt, ap);
    va_end(ap);
}

/* The re-encoder's output, compared with the file's own bytes (read with pread on the
 * descriptor already open, so both are the same file). */
static vp_status compare_sink(void *ctx, const void *data, size_t len, vp_error *err)
{
    gzr *r = ctx;
    unsigned char buf[CHUNK];
    const unsigned char *want = data;
    (void)err;
    for (size_t done = 0; done < len && !r->form->deviation[0];) {
        size_t n = len - done < CHUNK ? len - done : CHUNK;
        ssize_t got = pread(fileno(r->in), buf, n, (off_t)r->cmp_off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return vp_error_set(r->err, VP_ERR_IO, "archive %s: read failed: %s", r->path, strerror(errno));
        size_t i = 0;
        while (i < (size_t)got && buf[i] == want[done + i])
            i++;
        if (i < n) {
            deviate(r->form, "byte %llu of the file differs from vaultproof's encoding of the same tar stream "
                    "(gzip header, deflate stream or trailer)", r->cmp_off + i);
            return VP_OK;
        }
        r->cmp_off += n;
        done += n;
    }
    return VP_OK;
}

/* Hands n inflated bytes to the re-encoder, until the first difference. */
static vp_status re_feed(gzr *r, const void *buf, size_t n)
{
    if (!r->re || r->form->deviation[0] || !n)
        return VP_OK;
    return vpa_pgz_write(r->re, buf, n, r->err);
}

/* Bounds what a small hostile file can make us inflate, before anything in it is trusted. */
static vp_status gz_bounded(gzr *r)
{
    unsigned long long out = r->zs.total_out, in = r->zs.total_in;
    if (out > VP_ARCHIVE_MAX_TOTAL)
        return vp_error_set(r->err, VP_ERR_INPUT, "archive %s: inflates to more than %llu bytes; refused", r->path,
                            VP_ARCHIVE_MAX_TOTAL);
    if (out > VP_ARCHIVE_RATIO_SLACK && out / VP_ARCHIVE_MAX_RATIO > in)
        return vp_error_set(r->err, VP_ERR_INPUT, "archive %s: %llu compressed bytes inflate to %llu, more than %u "
                            "times as many; refused as a decompression bomb", r->path, in, out, VP_ARCHIVE_MAX_RATIO);
    return VP_OK;
}

static vp_status gz_fail(gzr *r, const char *what)
{
    return vp_error_set(r->err, VP_ERR_INPUT, "archive %s: %s; expected a complete gzip-compressed tar archive",
                        r->path, what);
}

static vp_status gz_fill(gzr *r)
{
    size_t n = fread(r->ibuf, 1, CHUNK, r->in);
    if (n == 0 && ferror(r->in))
        return vp_error_set(r->err, VP_ERR_IO, "archive %s: read failed: %s", r->path, strerror(errno));
    if (n == 0)
        return gz_fail(r, "truncated (gzip stream ends early)");
    r->zs.next_in = r->ibuf;
    r->zs.avail_in = (uInt)n;
    return VP_OK;
}

/* Reads exactly n uncompressed bytes; anything less is a truncated archive. */
static vp_status gz_read(gzr *r, void *buf, size_t n)
{
    r->zs.next_out = buf;
    r->zs.avail_out = (uInt)n;
    while (r->zs.avail_out) {
        vp_status s;
        if (r->zend)
            return gz_fail(r, "truncated (tar data ends early)");
        if (!r->zs.avail_in && (s = gz_fill(r)))
            return s;
        int zr = inflate(&r->zs, Z_NO_FLUSH);
        if (zr == Z_STREAM_END)
            r->zend = 1;
        else if (zr == Z_MEM_ERROR)
            return vp_error_set(r->err, VP_ERR_NOMEM, "archive %s: out of memory inflating", r->path);
        else if (zr != Z_OK && zr != Z_BUF_ERROR)
            return gz_fail(r, r->zs.msg ? r->zs.msg : "corrupt gzip data");
        if ((s = gz_bounded(r)))
            return s;
    }
    return re_feed(r, buf, n);
}

/* After the end-of-archive blocks: only zero padding, the gzip trailer (CRC and length,
 * checked by zlib) and then end of file may follow. */
static vp_status gz_finish(gzr *r)
{
    unsigned char buf[BLOCK];
    while (!r->zend) {
        r->zs.next_out = buf;
        r->zs.avail_out = BLOCK;
        vp_status s = (!r->zs.avail_in) ? gz_fill(r) : VP_OK;
        if (s)
            return s;
        int zr = inflate(&r->zs, Z_NO_FLUSH);
        if (zr == Z_STREAM_END)
            r->zend = 1;
        else if (zr != Z_OK && zr != Z_BUF_ERROR)
            return gz_fail(r, r->zs.msg ? r->zs.msg : "corrupt gzip data");
        if ((s = gz_bounded(r)) || (s = re_feed(r, buf, BLOCK - r->zs.avail_out)))
            return s;
        for (size_t i = 0; i < BLOCK - r->zs.avail_out; i++)
            if (buf[i])
                return gz_fail(r, "data after the end-of-archive marker");
    }
    if (r->zs.avail_in || fgetc(r->in) != EOF)
        return gz_fail(r, "trailing bytes after the gzip stream");
    return VP_OK;
}

/* The end of a sound archive in canonical form: the zero padding is exactly what the
 * writer adds, and the re-encoded bytes are the whole file. */
static vp_status canonical_end(gzr *r, unsigned long long tar_end)
{
    unsigned long long total = r->zs.total_out;
    if (total % VPA_RECORD || total < tar_end + 2 * BLOCK || total - (tar_end + 2 * BLOCK) >= VPA_RECORD)
        deviate(r->form, "%llu bytes of tar, expected the entries and two zero blocks padded to a multiple of %d",
                total, VPA_RECORD);
    if (!r->re || r->form->deviation[0])
        return VP_OK;
    vp_status s = vpa_pgz_finish(r->re, r->err);
    if (!s && !r->form->deviation[0] && r->cmp_off != r->file_size)
        deviate(r->form, "the file has %llu bytes, vaultproof's encoding of the same tar stream %llu",
                r->file_size, r->cmp_off);
    return s;
}

/* ---- tar ---- */

static vp_status tar_fail(treader *t, const char *name, size_t len, const char *why)
{
    char buf[600];
    return vp_error_set(t->g.err, VP_ERR_INPUT, "archive %s: header %llu '%s': %s; expected only unique, relative regular-file and directory "
                        "entries in valid ustar headers", t->g.path, t->index,
                        shown(name, len, buf, sizeof buf), why);
}

/* Strict octal: optional leading spaces, digits, then only NULs or spaces. No base-256. */
static int parse_octal(const unsigned char *f, size_t w, unsigned long long *v)
{
    size_t i = 0;
    int digits = 0;
    *v = 0;
    while (i < w && f[i] == ' ')
        i++;
    for (; i < w && f[i] >= '0' && f[i] <= '7'; i++, digits++)
        *v = *v * 8 + (unsigned)(f[i] - '0');
    for (; i < w; i++)
        if (f[i] != 0 && f[i] != ' ')
            return -1;
    return digits ? 0 : -1;
}

static int checksum_ok(const unsigned char *h)
{
    unsigned long long want;
    unsigned sum = 0;
    if (parse_octal(h + 148, 8, &want))
        return 0;
    for (int i = 0; i < BLOCK; i++)
        sum += (i >= 148 && i < 156) ? ' ' : h[i];
    return sum == want;
}

static size_t field_len(const unsigned char *f, size_t w)
{
    const void *z = memchr(f, 0, w);
    return z ? (size_t)((const unsigned char *)z - f) : w;
}

/* The raw name of a header: an extended name if one is pending, else prefix/name. */
static size_t raw_name(treader *t, const unsigned char *h, char *out)
{
    if (t->ext_name) {
        size_t n = strlen(t->ext_name);
        memcpy(out, t->ext_name, n + 1);
        return n;
    }
    size_t o = 0, pl = field_len(h + 345, 155), nl = field_len(h, 100);
    if (!memcmp(h + 257, "ustar\0" "00", 8) && pl) { /* GNU format reuses this area */
        memcpy(out, h + 345, pl);
        out[pl] = '/';
        o = pl + 1;
    }
    memcpy(out + o, h, nl);
    out[o + nl] = 0;
    return o + nl;
}

/* Consumes n bytes of the current entry's content. */
static vp_status tr_data(treader *t, void *buf, size_t n)
{
    if (n > t->remaining)
        return vp_error_set(t->g.err, VP_ERR_INTERNAL, "archive: read past entry end");
    t->remaining -= n;
    return gz_read(&t->g, buf, n);
}

/* Skips the rest of the entry and its padding up to the next 512-byte boundary. */
static vp_status tr_skip(treader *t, unsigned long long size)
{
    unsigned char buf[4096];
    unsigned long long pad = (BLOCK - size % BLOCK) % BLOCK, left = t->remaining + pad;
    t->remaining = 0;
    while (left) {
        size_t n = left < sizeof buf ? (size_t)left : sizeof buf;
        vp_status s = gz_read(&t->g, buf, n);
        if (s)
            return s;
        for (size_t i = 0; t->g.form && i < n; i++)
            if (left - i <= pad && buf[i])
                deviate(t->g.form, "header %llu: padding after the content is not zero", t->index);
        left -= n;
    }
    return VP_OK;
}

static vp_status set_ext_name(treader *t, const char *v, size_t len)
{
    if (memchr(v, 0, len))
        return tar_fail(t, v, len, "NUL byte in name");
    free(t->ext_name);
    /* Not strndup: v is a slice of a record, not a C string. */
    if (!(t->ext_name = malloc(len + 1)))
        return vp_error_set(t->g.err, VP_ERR_NOMEM, "archive: out of memory");
    memcpy(t->ext_name, v, len);
    t->ext_name[len] = 0;
    return VP_OK;
}

/* One pax record "LEN key=value\n"; only path and size matter to us. */
static vp_status pax_record(treader *t, const char *r, size_t len)
{
    const char *sp = memchr(r, ' ', len), *eq = sp ? memchr(sp, '=', len - (size_t)(sp - r)) : NULL;
    if (!eq || r[len - 1] != '\n')
        return tar_fail(t, "pax header", 10, "malformed pax record");
    const char *key = sp + 1, *val = eq + 1;
    size_t klen = (size_t)(eq - key), vlen = (size_t)(r + len - 1 - val);
    if (klen == 4 && !memcmp(key, "path", 4))
        return set_ext_name(t, val, vlen);
    if (klen == 4 && !memcmp(key, "size", 4)) {
        unsigned long long v = 0;
        if (!vlen || vlen > 15)
            return tar_fail(t, "pax header", 10, "malformed pax size");
        for (size_t i = 0; i < vlen; i++) {
            if (val[i] < '0' || val[i] > '9')
                return tar_fail(t, "pax header", 10, "malformed pax size");
            v = v * 10 + (unsigned)(val[i] - '0');
        }
        t->has_ext_size = 1;
        t->ext_size = v;
    }
    return VP_OK;
}

static vp_status pax_parse(treader *t, const char *p, size_t n)
{
    while (n) {
        size_t len = 0, i = 0;
        while (i < n && i < 8 && p[i] >= '0' && p[i] <= '9')
            len = len * 10 + (size_t)(p[i++] - '0');
        if (!i || i >= n || p[i] != ' ' || len <= i + 2 || len > n)
            return tar_fail(t, "pax header", 10, "malformed pax record length");
        vp_status s = pax_record(t, p, len);
        if (s)
            return s;
        p += len;
        n -= len;
    }
    return VP_OK;
}

/* Reads a pax 'x' or GNU 'L' payload and keeps what it says for the next header. */
static vp_status read_ext(treader *t, const unsigned char *h, char type, unsigned long long size)
{
    if (t->ext_name || t->has_ext_size)
        return tar_fail(t, type == 'x' ? "pax header" : "GNU long name", type == 'x' ? 10 : 13,
                        "two extended headers for one entry");
    if (size == 0 || size > MAX_EXT_HEADER)
        return tar_fail(t, "extended header", 15, "extended header size out of range");
    char *buf = malloc((size_t)size + 1);
    if (!buf)
        return vp_error_set(t->g.err, VP_ERR_NOMEM, "archive: out of memory");
    t->remaining = size;
    vp_status s = tr_data(t, buf, (size_t)size);
    buf[size] = 0;
    if (!s && t->g.form && type == 'L')
        deviate(t->g.form, "header %llu: a GNU long-name header, which vaultproof's writer never writes", t->index);
    if (!s && t->g.form && !(t->ext_raw = malloc(BLOCK + (size_t)size)))
        s = vp_error_set(t->g.err, VP_ERR_NOMEM, "archive: out of memory");
    if (!s && t->g.form) {
        memcpy(t->ext_raw, h, BLOCK);
        memcpy(t->ext_raw + BLOCK, buf, (size_t)size);
        t->ext_raw_len = BLOCK + (size_t)size;
    }
    if (!s)
        s = tr_skip(t, size);
    if (!s && type == 'x')
        s = pax_parse(t, buf, (size_t)size);
    if (!s && type == 'L') {
        size_t nl = field_len((unsigned char *)buf, (size_t)size);
        for (size_t i = nl; i < size && !s; i++)
            if (buf[i])
                s = tar_fail(t, buf, (size_t)size, "NUL byte in name");
        if (!s)
            s = set_ext_name(t, buf, nl);
    }
    free(buf);
    return s;
}

static const char *type_refusal(char type)
{
    switch (type) {
    case '1':
        return "hard link entries are not allowed";
    case '2':
        return "symbolic link entries are not allowed";
    case 'K':
        return "link entries are not allowed";
    case '3':
    case '4':
        return "device entries are not allowed";
    case '6':
        return "fifo entries are not allowed";
    case 'g':
        return "global pax headers are not supported";
    default:
        return "unsupported entry type (expected a regular file or a directory)";
    }
}

static int all_zero(const unsigned char *b)
{
    for (int i = 0; i < BLOCK; i++)
        if (b[i])
            return 0;
    return 1;
}

/* Two zero blocks end the archive; a single one would be a damaged header. */
static vp_status end_of_archive(treader *t, int *end)
{
    unsigned char h[BLOCK];
    if (t->ext_name || t->has_ext_size)
        return tar_fail(t, "extended header", 15, "extended header not followed by an entry");
    unsigned long long tar_end = t->g.zs.total_out - BLOCK; /* before the first zero block */
    vp_status s = gz_read(&t->g, h, BLOCK);
    if (s)
        return s;
    if (!all_zero(h))
        return tar_fail(t, "zero block", 10, "a zero block inside the archive");
    *end = 1;
    if ((s = gz_finish(&t->g)))
        return s;
    return t->g.form ? canonical_end(&t->g, tar_end) : VP_OK;
}

/* A header field, for saying which one is not what the writer fills. */
typedef struct {
    unsigned short off, len;
    const char *name;
} hfield;

/* In block order, except the checksum last: it differs whenever anything else does. */
static const hfield hfields[] = {
    {0, 100, "name"},      {100, 8, "mode"},          {108, 8, "uid"},      {116, 8, "gid"},
    {124, 12, "size"},     {136, 12, "mtime"},        {156, 1, "type"},     {157, 100, "linkname"},
    {257, 8, "magic"},     {265, 32, "owner name"},   {297, 32, "group name"}, {329, 8, "devmajor"},
    {337, 8, "devminor"},  {345, 155, "prefix"},      {500, 12, "padding"}, {148, 8, "checksum"},
};

/* A field's bytes for a message: up to the last non-NUL, control bytes escaped. */
static const char *shown_field(const unsigned char *f, size_t len, char *out, size_t outsz)
{
    while (len && !f[len - 1])
        len--;
    return shown((const char *)f, len, out, outsz);
}

static void compare_header(treader *t, const unsigned char *h, const unsigned char *want)
{
    char a[200], b[200], c[200];
    for (size_t i = 0; i < sizeof hfields / sizeof hfields[0]; i++) {
        const hfield *f = &hfields[i];
        if (memcmp(h + f->off, want + f->off, f->len)) {
            deviate(t->g.form, "header %llu '%s': %s is '%s', vaultproof writes '%s'", t->index,
                    shown_field(want, 100, c, sizeof c), f->name, shown_field(h + f->off, f->len, a, sizeof a),
                    shown_field(want + f->off, f->len, b, sizeof b));
            return;
        }
    }
}

/* Whether every parent directory of name was an entry of its own. */
static int parents_explicit(nameset *s, char *name)
{
    int ok = 1;
    for (char *p = strchr(name, '/'); p && ok; p = strchr(p + 1, '/')) {
        *p = 0;
        slot *sl = s->cap ? set_find(s, name) : NULL;
        ok = sl && sl->key && sl->kind == VP_ARCHIVE_DIR;
        *p = '/';
    }
    return ok;
}

/* The entry's place and header bytes against what vp_archive_write emits for it. */
static vp_status canonical_entry(treader *t, const unsigned char *h, char *name, int is_dir, unsigned long long size)
{
    vp_archive_form *f = t->g.form;
    char path[VP_ARCHIVE_MAX_NAME + 2], sh[200], shp[200];
    unsigned char want[VPA_HEADER_MAX];
    if (f->deviation[0])
        return VP_OK;
    if (t->prev && strcmp(t->prev, name) >= 0)
        deviate(f, "header %llu '%s': not in byte order of names (after '%s')", t->index,
                shown(name, strlen(name), shp, sizeof shp), shown(t->prev, strlen(t->prev), sh, sizeof sh));
    else if (!parents_explicit(&t->seen, name))
        deviate(f, "header %llu '%s': its parent directory is not an entry before it", t->index,
                shown(name, strlen(name), shp, sizeof shp));
    free(t->prev);
    if (!(t->prev = strdup(name)))
        return vp_error_set(t->g.err, VP_ERR_NOMEM, "archive: out of memory");
    if (f->deviation[0] || f->mtime < 0)
        return VP_OK;
    if ((size_t)snprintf(path, sizeof path, "%s%s", name, is_dir ? "/" : "") > VP_ARCHIVE_MAX_NAME) {
        deviate(f, "header %llu: a name longer than vaultproof's writer accepts", t->index);
        return VP_OK;
    }
    size_t n = vpa_tar_header(path, is_dir, size, f->mtime, want), pax = n - BLOCK;
    int pax_differs = t->ext_raw_len && memcmp(t->ext_raw, want, t->ext_raw_len);
    if (pax != (t->ext_raw_len + BLOCK - 1) / BLOCK * BLOCK || pax_differs)
        deviate(f, "header %llu '%s': %s", t->index, shown(path, strlen(path), shp, sizeof shp),
                pax ? "the pax header differs from the one vaultproof writes"
                    : "a pax header, where vaultproof's writer uses the ustar name fields");
    else
        compare_header(t, h, want + pax);
    return VP_OK;
}

/* Validates a header that is known to have a good checksum and to be a file or dir. */
static vp_status check_entry(treader *t, const unsigned char *h, unsigned long long size, char *name, int *skip)
{
    char raw[VP_ARCHIVE_MAX_NAME + 260];
    const char *why;
    int nomem = 0;
    if (t->ext_name && strlen(t->ext_name) > VP_ARCHIVE_MAX_NAME)
        return tar_fail(t, t->ext_name, 200, "name too long");
    size_t rl = raw_name(t, h, raw);
    if (t->has_ext_size && t->ext_size != size)
        return tar_fail(t, raw, rl, "pax size record disagrees with the header size field");
    if (h[156] == '5' && size)
        return tar_fail(t, raw, rl, "directory entry with a non-zero size");
    why = normalise(raw, rl, name);
    /* "./" (from `tar -C dir .`) names the destination itself: nothing to create. */
    *skip = why == NO_COMPONENTS && h[156] == '5';
    if (why && !*skip)
        return tar_fail(t, raw, rl, why);
    if (*skip)
        deviate(t->g.form, "header %llu: a '.' entry, which vaultproof's writer never writes", t->index);
    vp_status s;
    if (!*skip && t->g.form && (s = canonical_entry(t, h, name, h[156] == '5', size)))
        return s;
    free(t->ext_raw);
    t->ext_raw = NULL;
    t->ext_raw_len = 0;
    if (!*skip && (why = record_name(&t->seen, name, h[156] == '5' ? VP_ARCHIVE_DIR : VP_ARCHIVE_FILE, &nomem)))
        return nomem ? vp_error_set(t->g.err, VP_ERR_NOMEM, "archive: out of memory") : tar_fail(t, raw, rl, why);
    free(t->ext_name);
    t->ext_name = NULL;
    t->has_ext_size = 0;
    return VP_OK;
}

static vp_status next_entry(treader *t, entry_fn fn, void *ctx, int *end)
{
    unsigned char h[BLOCK];
    char name[VP_ARCHIVE_MAX_NAME + 1];
    unsigned long long size;
    int skip = 0;
    vp_status s = gz_read(&t->g, h, BLOCK);
    if (s)
        return s;
    t->index++;
    if (all_zero(h))
        return end_of_archive(t, end);
    if (!checksum_ok(h))
        return tar_fail(t, (const char *)h, field_len(h, 100), "header checksum mismatch");
    if (memcmp(h + 257, "ustar\0" "00", 8) && memcmp(h + 257, "ustar  \0", 8))
        return tar_fail(t, (const char *)h, field_len(h, 100), "not a ustar header");
    if (parse_octal(h + 124, 12, &size))
        return tar_fail(t, (const char *)h, field_len(h, 100), "malformed size field");
    char type = (char)h[156];
    if (t->g.form && !t->have_mtime) {
        unsigned long long mt;
        t->have_mtime = 1;
        t->g.form->mtime = parse_octal(h + 136, 12, &mt) || mt > 077777777777ULL ? -1 : (long long)mt;
        if (t->g.form->mtime < 0)
            deviate(t->g.form, "header 1: malformed mtime");
    }
    if (type == 'x' || type == 'L')
        return read_ext(t, h, type, size);
    if (type != '0' && type != '\0' && type != '5')
        return tar_fail(t, (const char *)h, field_len(h, 100), type_refusal(type));
    if ((s = check_entry(t, h, size, name, &skip)))
        return s;
    if (skip)
        return VP_OK;
    vp_archive_entry e = {name, type == '5' ? 0 : size, type == '5' ? VP_ARCHIVE_DIR : VP_ARCHIVE_FILE};
    t->remaining = size;
    if (fn && (s = fn(t, &e, ctx)))
        return s;
    return tr_skip(t, size);
}

/* The gzip header bytes, for a precise message; the re-encoding would catch them too. */
static vp_status canonical_start(gzr *r)
{
    static const char *const what[10] = {"ID1", "ID2", "CM", "FLG", "MTIME", "MTIME", "MTIME", "MTIME", "XFL", "OS"};
    unsigned char h[10];
    struct stat st;
    r->form->mtime = -1;
    r->form->deviation[0] = 0;
    if (fstat(fileno(r->in), &st) != 0)
        return vp_error_set(r->err, VP_ERR_IO, "archive %s: cannot stat: %s", r->path, strerror(errno));
    r->file_size = (unsigned long long)st.st_size;
    ssize_t n = pread(fileno(r->in), h, sizeof h, 0);
    for (ssize_t i = 0; i < n; i++)
        if (h[i] != vpa_gzip_header[i]) {
            deviate(r->form, "gzip header byte %zd (%s) is 0x%02x, vaultproof writes 0x%02x", i, what[i], h[i],
                    vpa_gzip_header[i]);
            break;
        }
    return vpa_pgz_new_sink(compare_sink, r, VPA_LEVEL, (int)sysconf(_SC_NPROCESSORS_ONLN), &r->re, r->err);
}

static vp_status walk(const char *path, entry_fn fn, void *ctx, vp_archive_form *form, vp_error *err)
{
    treader *t = calloc(1, sizeof *t);
    int end = 0;
    vp_status s = VP_OK;
    if (!t)
        return vp_error_set(err, VP_ERR_NOMEM, "archive: out of memory");
    t->g.path = path;
    t->g.err = err;
    t->g.form = form;
    if (vp_fopen_regular(path, &t->g.in, err)) /* never blocks on a FIFO */
        s = vp_error_prefix(err, "archive");
    else if (inflateInit2(&t->g.zs, 15 + 16) != Z_OK)
        s = vp_error_set(err, VP_ERR_NOMEM, "archive %s: zlib initialisation failed", path);
    else
        t->g.zinit = 1;
    if (!s && form)
        s = canonical_start(&t->g);
    while (!s && !end)
        s = next_entry(t, fn, ctx, &end);
    if (t->g.zinit)
        inflateEnd(&t->g.zs);
    if (t->g.in)
        fclose(t->g.in);
    vpa_pgz_free(t->g.re);
    set_free(&t->seen);
    free(t->ext_name);
    free(t->ext_raw);
    free(t->prev);
    free(t);
    return s;
}

typedef struct {
    vp_archive_entry_cb cb;
    void *ctx;
    vp_error *err;
    int root;
} uctx;

static vp_status list_fn(treader *t, const vp_archive_entry *e, void *ctx)
{
    uctx *u = ctx;
    (void)t;
    return u->cb ? u->cb(e, u->ctx, u->err) : VP_OK;
}

vp_status vp_archive_list(const char *archive_path, vp_archive_entry_cb cb, void *ctx, vp_error *err)
{
    uctx u = {cb, ctx, err, -1};
    if (!archive_path)
        return vp_error_set(err, VP_ERR_INTERNAL, "archive: NULL path");
    return walk(archive_path, list_fn, &u, NULL, err);
}

/* ---- extraction ---- */

static vp_status sys_fail(vp_error *err, const char *what, const char *name)
{
    /* A link or a file in the way means the destination was tampered with: input. */
    vp_status st = (errno == ELOOP || errno == ENOTDIR || errno == EEXIST) ? VP_ERR_INPUT : VP_ERR_IO;
    return vp_error_set(err, st, "archive: cannot %s '%s' in the destination: %s", what, name, strerror(errno));
}

/* Opens (creating if missing, never following links) directory comp inside dir. */
static int open_subdir(int dir, const char *comp, int create)
{
    int fd = openat(dir, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT || !create)
        return fd;
    if (mkdirat(dir, comp, 0755) != 0)
        return -1;
    fd = openat(dir, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0 && fchmod(fd, 0755) != 0) { /* undo the umask: modes are part of the bundle */
        close(fd);
        return -1;
    }
    return fd;
}

/* Walks name's parent directories from root; *leaf points into buf at the last part. */
static int open_parent(int root, const char *name, char *buf, char **leaf)
{
    int cur = dup(root);
    strcpy(buf, name);
    char *comp = buf, *slash;
    while (cur >= 0 && (slash = strchr(comp, '/'))) {
        *slash = 0;
        int next = open_subdir(cur, comp, 1);
        int saved = errno;
        close(cur);
        errno = saved;
        cur = next;
        comp = slash + 1;
    }
    *leaf = comp;
    return cur;
}

static vp_status write_content(treader *t, int fd, const char *name, unsigned long long size, vp_error *err)
{
    unsigned char buf[CHUNK];
    while (size) {
        size_t n = size < CHUNK ? (size_t)size : CHUNK;
        vp_status s = tr_data(t, buf, n);
        if (s)
            return s;
        for (size_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return sys_fail(err, "write", name);
            off += (size_t)w;
        }
        size -= n;
    }
    return VP_OK;
}

static vp_status extract_one(treader *t, int parent, const char *leaf, const vp_archive_entry *e, vp_error *err)
{
    if (e->kind == VP_ARCHIVE_DIR) {
        int fd = open_subdir(parent, leaf, 1);
        if (fd < 0)
            return sys_fail(err, "create directory", e->name);
        close(fd);
        return VP_OK;
    }
    int fd = openat(parent, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return sys_fail(err, "create file", e->name);
    vp_status s = fchmod(fd, 0644) != 0 ? sys_fail(err, "set the mode of", e->name) : VP_OK;
    if (!s)
        s = write_content(t, fd, e->name, e->size, err);
    if (close(fd) != 0 && !s)
        s = sys_fail(err, "close", e->name);
    return s;
}

static vp_status extract_fn(treader *t, const vp_archive_entry *e, void *ctx)
{
    uctx *u = ctx;
    char buf[VP_ARCHIVE_MAX_NAME + 1], *leaf;
    int parent = open_parent(u->root, e->name, buf, &leaf);
    if (parent < 0)
        return sys_fail(u->err, "create the parent directories of", e->name);
    vp_status s = extract_one(t, parent, leaf, e, u->err);
    close(parent);
    if (!s && u->cb)
        s = u->cb(e, u->ctx, u->err);
    return s;
}

/* dest_dir: created if missing; if present it must be a real, empty directory so the
 * extracted tree is exactly the archive and nothing pre-planted can redirect writes. */
static vp_status open_dest(const char *dest, int *out, vp_error *err)
{
    if (mkdir(dest, 0755) != 0 && errno != EEXIST)
        return vp_error_set(err, errno == ENOENT ? VP_ERR_INPUT : VP_ERR_IO, "archive: cannot create %s: %s", dest,
                            strerror(errno));
    int fd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return vp_error_set(err, VP_ERR_INPUT, "archive: %s is not a directory: %s", dest, strerror(errno));
    int dfd = dup(fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    struct dirent *de;
    int entries = 0;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        close(fd);
        return vp_error_set(err, VP_ERR_IO, "archive: cannot read %s: %s", dest, strerror(errno));
    }
    while ((de = readdir(d)))
        entries += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    closedir(d);
    if (entries) {
        close(fd);
        return vp_error_set(err, VP_ERR_INPUT, "archive: destination %s is not empty; expected an empty directory",
                            dest);
    }
    *out = fd;
    return VP_OK;
}

vp_status vp_archive_extract(const char *archive_path, const char *dest_dir, vp_archive_entry_cb cb, void *ctx,
                             vp_error *err)
{
    uctx u = {cb, ctx, err, -1};
    if (!archive_path || !dest_dir)
        return vp_error_set(err, VP_ERR_INTERNAL, "archive: NULL argument to vp_archive_extract");
    /* Pass 1 validates everything (checksums, names, CRC) before anything is created. */
    vp_status s = walk(archive_path, NULL, NULL, NULL, err);
    if (s)
        return s;
    if ((s = open_dest(dest_dir, &u.root, err)))
        return s;
    s = walk(archive_path, extract_fn, &u, NULL, err);
    close(u.root);
    return s;
}

/* ---- scanning: one pass, nothing written ---- */

typedef struct {
    vp_archive_head_fn head;
    vp_archive_file_cb cb;
    void *ctx;
    vp_error *err;
    EVP_MD_CTX *md;
} sctx;

static vp_status hash_fail(vp_error *err)
{
    return vp_error_set(err, VP_ERR_CRYPTO, "archive: SHA-256 failed");
}

static vp_status scan_fn(treader *t, const vp_archive_entry *e, void *ctx)
{
    sctx *u = ctx;
    unsigned char buf[CHUNK], md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    char hex[65] = "";
    unsigned char *kept = NULL;
    size_t kept_len = 0;
    int keep = 0;
    vp_status hs = u->head ? u->head(e, &keep, u->ctx, u->err) : VP_OK;
    if (hs)
        return hs;
    if (e->kind == VP_ARCHIVE_DIR)
        return u->cb ? u->cb(e, hex, &kept, 0, u->ctx, u->err) : VP_OK;
    if (keep) {
        if (e->size > SIZE_MAX - 1 || !(kept = malloc((size_t)e->size + 1)))
            return vp_error_set(u->err, VP_ERR_NOMEM, "archive: out of memory keeping '%s'", e->name);
    }
    if (!EVP_DigestInit_ex(u->md, EVP_sha256(), NULL)) {
        free(kept);
        return hash_fail(u->err);
    }
    for (unsigned long long left = e->size; left;) {
        size_t n = left < CHUNK ? (size_t)left : CHUNK;
        vp_status s = tr_data(t, buf, n);
        if (!s && !EVP_DigestUpdate(u->md, buf, n))
            s = hash_fail(u->err);
        if (s) {
            free(kept);
            return s;
        }
        if (kept)
            memcpy(kept + kept_len, buf, n);
        kept_len += n;
        left -= n;
    }
    if (!EVP_DigestFinal_ex(u->md, md, &mdlen)) {
        free(kept);
        return hash_fail(u->err);
    }
    for (unsigned i = 0; i < mdlen && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    if (kept)
        kept[kept_len] = 0;
    vp_status s = u->cb ? u->cb(e, hex, &kept, kept ? kept_len : 0, u->ctx, u->err) : VP_OK;
    free(kept);
    return s;
}

vp_status vp_archive_scan(const char *archive_path, vp_archive_head_fn head, vp_archive_file_cb cb, void *ctx,
                          vp_archive_form *form, vp_error *err)
{
    sctx u = {head, cb, ctx, err, NULL};
    if (!archive_path)
        return vp_error_set(err, VP_ERR_INTERNAL, "archive: NULL path");
    if (!(u.md = EVP_MD_CTX_new()))
        return vp_error_set(err, VP_ERR_NOMEM, "archive: out of memory");
    vp_status s = walk(archive_path, scan_fn, &u, form, err);
    EVP_MD_CTX_free(u.md);
    return s;
}
