/* Deterministic .tar.gz writer: sorted ustar entries, fixed metadata, parallel gzip (pgzip.c). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "vaultproof/archive.h"

#include "archive/pgzip.h"
#include "archive/tarfmt.h"

#define BLOCK VPA_BLOCK
#define CHUNK 65536

typedef struct {
    char *rel; /* path below src_dir, no leading or trailing '/' */
    int is_dir;
    unsigned long long size;
} wentry;

typedef struct {
    wentry *v;
    size_t n, cap;
} wlist;

typedef struct {
    vpa_pgz *gz;
    unsigned long long written; /* uncompressed bytes, for the record padding */
    vp_error *err;
    vp_archive_written_cb cb;   /* NULL: files are not hashed */
    void *cb_ctx;
    EVP_MD_CTX *file_md;        /* the file being streamed, with cb */
    FILE *out;
    EVP_MD_CTX *out_md;         /* every compressed byte written to out, with archive_sha256 */
} tarw;

static vp_status hash_fail(vp_error *err)
{
    return vp_error_set(err, VP_ERR_CRYPTO, "archive: SHA-256 failed");
}

static void hex_digest(EVP_MD_CTX *md, char hex[65], int *ok)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    hex[0] = '\0';
    if (!(*ok = EVP_DigestFinal_ex(md, d, &len) && len == 32))
        return;
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* The archive's bytes go to the file and, when asked for, into its hash. */
static vp_status out_sink(void *ctx, const void *p, size_t n, vp_error *err)
{
    tarw *w = ctx;
    if (fwrite(p, 1, n, w->out) != n)
        return vp_error_set(err, VP_ERR_IO, "archive: writing the archive failed: %s", strerror(errno));
    if (w->out_md && !EVP_DigestUpdate(w->out_md, p, n))
        return hash_fail(err);
    return VP_OK;
}

static int bad_name_bytes(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return 1;
    return 0;
}

static vp_status list_push(wlist *l, const char *rel, int is_dir, unsigned long long size, vp_error *err)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        wentry *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return vp_error_set(err, VP_ERR_NOMEM, "archive: out of memory listing files");
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n].rel = strdup(rel)))
        return vp_error_set(err, VP_ERR_NOMEM, "archive: out of memory listing files");
    l->v[l->n].is_dir = is_dir;
    l->v[l->n].size = size;
    l->n++;
    return VP_OK;
}

static void list_free(wlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].rel);
    free(l->v);
}

static vp_status scan_dir(const char *root, const char *rel, wlist *l, vp_error *err);

/* Classifies one directory entry; refuses anything that is not a file or directory
 * because a bundle must contain exactly what the manifest lists, nothing indirect. */
static vp_status scan_one(const char *root, const char *rel, wlist *l, vp_error *err)
{
    char full[VP_ARCHIVE_MAX_NAME + 2];
    struct stat st;
    if (strlen(rel) > VP_ARCHIVE_MAX_NAME - 256 || bad_name_bytes(rel))
        return vp_error_set(err, VP_ERR_INPUT, "archive: %s/%s: name too long or has control characters", root,
                            rel);
    if ((size_t)snprintf(full, sizeof full, "%s/%s", root, rel) >= sizeof full)
        return vp_error_set(err, VP_ERR_INPUT, "archive: %s/%s: path too long", root, rel);
    if (lstat(full, &st) != 0)
        return vp_error_set(err, VP_ERR_IO, "archive: cannot stat %s: %s", full, strerror(errno));
    if (S_ISLNK(st.st_mode))
        return vp_error_set(err, VP_ERR_INPUT, "archive: %s is a symlink; expected only regular files and directories",
                            full);
    if (S_ISDIR(st.st_mode)) {
        vp_status s = list_push(l, rel, 1, 0, err);
        return s ? s : scan_dir(root, rel, l, err);
    }
    if (!S_ISREG(st.st_mode))
        return vp_error_set(err, VP_ERR_INPUT, "archive: %s is not a regular file or directory", full);
    if ((unsigned long long)st.st_size > VP_ARCHIVE_MAX_FILE)
        return vp_error_set(err, VP_ERR_INPUT, "archive: %s is larger than %llu bytes", full, VP_ARCHIVE_MAX_FILE);
    return list_push(l, rel, 0, (unsigned long long)st.st_size, err);
}

static vp_status scan_dir(const char *root, const char *rel, wlist *l, vp_error *err)
{
    char full[VP_ARCHIVE_MAX_NAME + 2], child[VP_ARCHIVE_MAX_NAME + 2];
    vp_status s = VP_OK;
    snprintf(full, sizeof full, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(full);
    if (!d)
        return vp_error_set(err, VP_ERR_IO, "archive: cannot open directory %s: %s", full, strerror(errno));
    struct dirent *de;
    while (!s && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if ((size_t)snprintf(child, sizeof child, "%s%s%s", rel, *rel ? "/" : "", de->d_name) >= sizeof child)
            s = vp_error_set(err, VP_ERR_INPUT, "archive: %s/%s: path too long", full, de->d_name);
        else
            s = scan_one(root, child, l, err);
    }
    closedir(d);
    return s;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const wentry *)a)->rel, ((const wentry *)b)->rel);
}

static vp_status tw_put(tarw *w, const void *data, size_t len)
{
    w->written += len;
    return vpa_pgz_write(w->gz, data, len, w->err);
}

static vp_status tw_pad(tarw *w, unsigned long long size)
{
    static const unsigned char zero[BLOCK];
    size_t rem = (size_t)(size % BLOCK);
    return rem ? tw_put(w, zero, BLOCK - rem) : VP_OK;
}

static void octal(char *field, size_t width, unsigned long long v)
{
    /* width-1 zero-padded digits and a NUL, the form GNU tar and POSIX both accept. */
    snprintf(field, width, "%0*llo", (int)(width - 1), v);
}

/* Fills a ustar header; name must fit (<= 100 bytes, or prefix/name split done). */
static void header_fill(unsigned char h[BLOCK], const char *prefix, const char *name, char type, unsigned mode,
                        unsigned long long size, long long mtime)
{
    char *c = (char *)h;
    memset(h, 0, BLOCK);
    memcpy(c, name, strlen(name) < 100 ? strlen(name) : 100);
    octal(c + 100, 8, mode);
    octal(c + 108, 8, 0);
    octal(c + 116, 8, 0);
    octal(c + 124, 12, size);
    octal(c + 136, 12, (unsigned long long)mtime);
    c[156] = type;
    memcpy(c + 257, "ustar\0" "00", 8);
    octal(c + 329, 8, 0);
    octal(c + 337, 8, 0);
    if (prefix)
        memcpy(c + 345, prefix, strlen(prefix));
    memset(c + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < BLOCK; i++)
        sum += h[i];
    snprintf(c + 148, 8, "%06o", sum);
    c[155] = ' ';
}

/* Splits path at a '/' so that prefix <= 155 and name <= 100 bytes; 0 if impossible. */
static int split_name(const char *path, char prefix[156], char name[101])
{
    size_t len = strlen(path);
    if (len <= 100) {
        prefix[0] = 0;
        memcpy(name, path, len + 1);
        return 1;
    }
    for (size_t i = len - 1; i > 0; i--) {
        if (path[i] != '/' || i > 155)
            continue;
        if (len - i - 1 == 0)
            continue; /* the trailing '/' of a directory stays in name */
        if (len - i - 1 > 100)
            return 0;
        memcpy(prefix, path, i);
        prefix[i] = 0;
        memcpy(name, path + i + 1, len - i);
        return 1;
    }
    return 0;
}

/* A pax 'x' header carrying only "path"; its own name is fixed so output is stable. */
static size_t pax_path(const char *path, long long mtime, unsigned char *out)
{
    char rec[VP_ARCHIVE_MAX_NAME + 64];
    size_t body = strlen(" path=\n") + strlen(path), total = body + 1;
    /* The record length counts its own digits: iterate until it is stable. */
    for (int i = 0; i < 3; i++)
        total = body + (size_t)snprintf(NULL, 0, "%zu", total);
    int n = snprintf(rec, sizeof rec, "%zu path=%s\n", total, path);
    header_fill(out, NULL, "././@PaxHeader", 'x', 0644, (unsigned long long)n, mtime);
    size_t padded = ((size_t)n + BLOCK - 1) / BLOCK * BLOCK;
    memset(out + BLOCK, 0, padded);
    memcpy(out + BLOCK, rec, (size_t)n);
    return BLOCK + padded;
}

size_t vpa_tar_header(const char *path, int is_dir, unsigned long long size, long long mtime,
                      unsigned char out[VPA_HEADER_MAX])
{
    char prefix[156], name[101];
    size_t off = 0;
    if (!split_name(path, prefix, name)) {
        off = pax_path(path, mtime, out);
        prefix[0] = 0;
        memcpy(name, path, 100);
        name[100] = 0;
    }
    header_fill(out + off, prefix[0] ? prefix : NULL, name, is_dir ? '5' : '0', is_dir ? 0755 : 0644, size, mtime);
    return off + BLOCK;
}

static vp_status write_header(tarw *w, const char *path, int is_dir, unsigned long long size, long long mtime)
{
    unsigned char h[VPA_HEADER_MAX];
    return tw_put(w, h, vpa_tar_header(path, is_dir, size, mtime, h));
}

/* Streams one file; refuses it if it is swapped for a link or changes size meanwhile,
 * because the header (already written) must describe exactly the bytes that follow. */
static vp_status write_file_data(tarw *w, const char *full, unsigned long long size)
{
    unsigned char buf[CHUNK];
    struct stat st;
    unsigned long long done = 0;
    vp_status s = VP_OK;
    int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return vp_error_set(w->err, VP_ERR_IO, "archive: cannot open %s: %s", full, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size != size)
        s = vp_error_set(w->err, VP_ERR_IO, "archive: %s changed while the archive was being written", full);
    if (!s && w->cb && !EVP_DigestInit_ex(w->file_md, EVP_sha256(), NULL))
        s = hash_fail(w->err);
    while (!s && done < size) {
        size_t want = size - done < CHUNK ? (size_t)(size - done) : CHUNK;
        ssize_t n = read(fd, buf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            s = vp_error_set(w->err, VP_ERR_IO, "archive: reading %s failed: %s", full,
                             n < 0 ? strerror(errno) : "file shrank while being read");
        else if (w->cb && !EVP_DigestUpdate(w->file_md, buf, (size_t)n))
            s = hash_fail(w->err);
        else if (!(s = tw_put(w, buf, (size_t)n)))
            done += (unsigned long long)n;
    }
    if (!s && read(fd, buf, 1) != 0)
        s = vp_error_set(w->err, VP_ERR_IO, "archive: %s grew while being read", full);
    close(fd);
    return s ? s : tw_pad(w, size);
}

/* Hands the hash of exactly the bytes streamed for rel to the caller's check. */
static vp_status file_written(tarw *w, const char *rel, unsigned long long size)
{
    char hex[65];
    int ok;
    if (!w->cb)
        return VP_OK;
    hex_digest(w->file_md, hex, &ok);
    return ok ? w->cb(rel, size, hex, w->cb_ctx, w->err) : hash_fail(w->err);
}

static vp_status write_entry(tarw *w, const char *src_dir, const char *top, const wentry *e, long long mtime)
{
    char path[VP_ARCHIVE_MAX_NAME + 2], full[VP_ARCHIVE_MAX_NAME + 2];
    int n = snprintf(path, sizeof path, "%s/%s%s", top, e->rel, e->is_dir ? "/" : "");
    if (n < 0 || n > VP_ARCHIVE_MAX_NAME)
        return vp_error_set(w->err, VP_ERR_INPUT, "archive: %s/%s: name too long", top, e->rel);
    vp_status s = write_header(w, path, e->is_dir, e->is_dir ? 0 : e->size, mtime);
    if (s || e->is_dir)
        return s;
    snprintf(full, sizeof full, "%s/%s", src_dir, e->rel);
    s = write_file_data(w, full, e->size);
    return s ? s : file_written(w, e->rel, e->size);
}

/* Two zero blocks end the archive; zeros up to a full 10240-byte record match GNU tar. */
static vp_status write_trailer(tarw *w)
{
    static const unsigned char zero[BLOCK];
    vp_status s = tw_put(w, zero, BLOCK);
    if (!s)
        s = tw_put(w, zero, BLOCK);
    while (!s && w->written % VPA_RECORD)
        s = tw_put(w, zero, BLOCK);
    return s ? s : vpa_pgz_finish(w->gz, w->err);
}

static vp_status check_write_args(const char *src_dir, const char *top, long long mtime, FILE *out, vp_error *err)
{
    struct stat st;
    if (!src_dir || !top || !out)
        return vp_error_set(err, VP_ERR_INTERNAL, "archive: NULL argument to vp_archive_write");
    if (!*top || strchr(top, '/') || bad_name_bytes(top) || !strcmp(top, ".") || !strcmp(top, "..") ||
        strlen(top) > 255)
        return vp_error_set(err, VP_ERR_INPUT, "archive: top folder name '%s' is not a single plain path component",
                            top);
    if (mtime < 0 || (unsigned long long)mtime > 077777777777ULL)
        return vp_error_set(err, VP_ERR_INPUT, "archive: mtime %lld is outside 0..8589934591", mtime);
    if (stat(src_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return vp_error_set(err, VP_ERR_INPUT, "archive: %s is not a directory", src_dir);
    return VP_OK;
}

static vp_status write_all(tarw *w, const char *src_dir, const char *top, const wlist *l, long long mtime)
{
    char topdir[300];
    snprintf(topdir, sizeof topdir, "%s/", top);
    vp_status s = write_header(w, topdir, 1, 0, mtime);
    for (size_t i = 0; !s && i < l->n; i++)
        s = write_entry(w, src_dir, top, &l->v[i], mtime);
    return s ? s : write_trailer(w);
}

vp_status vp_archive_write(const char *src_dir, const char *top_name, long long mtime, FILE *out, vp_error *err)
{
    return vp_archive_write_checked(src_dir, top_name, mtime, out, NULL, NULL, NULL, err);
}

vp_status vp_archive_write_checked(const char *src_dir, const char *top_name, long long mtime, FILE *out,
                                   vp_archive_written_cb cb, void *ctx, char archive_sha256[65], vp_error *err)
{
    wlist l = {0};
    tarw *w;
    vp_status s = check_write_args(src_dir, top_name, mtime, out, err);
    if (s)
        return s;
    if ((s = scan_dir(src_dir, "", &l, err))) {
        list_free(&l);
        return s;
    }
    qsort(l.v, l.n, sizeof *l.v, cmp_entry);
    if (!(w = calloc(1, sizeof *w))) {
        list_free(&l);
        return vp_error_set(err, VP_ERR_NOMEM, "archive: out of memory");
    }
    w->err = err;
    w->out = out;
    w->cb = cb;
    w->cb_ctx = ctx;
    if ((cb && !(w->file_md = EVP_MD_CTX_new())) || (archive_sha256 && !(w->out_md = EVP_MD_CTX_new())))
        s = vp_error_set(err, VP_ERR_NOMEM, "archive: out of memory");
    else if (w->out_md && !EVP_DigestInit_ex(w->out_md, EVP_sha256(), NULL))
        s = hash_fail(err);
    if (!s && !(s = vpa_pgz_new_sink(out_sink, w, VPA_LEVEL, (int)sysconf(_SC_NPROCESSORS_ONLN), &w->gz, err)))
        s = write_all(w, src_dir, top_name, &l, mtime);
    if (!s && fflush(out) != 0)
        s = vp_error_set(err, VP_ERR_IO, "archive: writing the archive failed: %s", strerror(errno));
    if (!s && archive_sha256) {
        int ok;
        hex_digest(w->out_md, archive_sha256, &ok);
        if (!ok)
            s = hash_fail(err);
    }
    vpa_pgz_free(w->gz);
    EVP_MD_CTX_free(w->file_md);
    EVP_MD_CTX_free(w->out_md);
    free(w);
    list_free(&l);
    return s;
}
