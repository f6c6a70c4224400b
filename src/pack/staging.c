/*
 * The archive directory and the staging directory, reached through descriptors.
 *
 * Whoever can rename entries of the archive directory can rename .staging-XXXXXX away
 * and put a directory of their own under that name; anything that then opened
 * ARCHIVE/.staging-XXXXXX/... by path would write into, read from and archive their
 * directory. So the staging directory is made with mkdirat and opened once, and every
 * staged file is created, read, hashed and removed relative to that descriptor. Stages
 * that take paths (the collector, the findings reader, the archive writer) are given
 * /proc/self/fd/N, which the kernel resolves through the descriptor, not the name.
 * Every file written is recorded with the SHA-256 of the bytes written, the manifest
 * cites those hashes, and the finished archive is checked to hold exactly them.
 * docs/security.md, section 2.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/vec.h"
#include "pack/pack_internal.h"
#include "vaultproof/archive.h"
#include "vaultproof/fileio.h"

vp_status vpk_archive_open(const char *archive_dir, int *fd, vp_error *err)
{
    struct stat sb;
    *fd = -1;
    if (mkdir(archive_dir, 0755) && errno != EEXIST)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot create directory: %s", archive_dir, strerror(errno));
    int f = open(archive_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (f < 0)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot open the archive directory: %s%s", archive_dir,
                            strerror(errno), errno == ELOOP || errno == ENOTDIR ? " (a symbolic link is not "
                            "followed: give the directory itself)" : "");
    if (fstat(f, &sb)) {
        int e = errno;
        close(f);
        return vp_error_set(err, VP_ERR_IO, "%s: %s", archive_dir, strerror(e));
    }
    /* Others who can write here can rename our entries, unless the sticky bit reserves
     * that to the entry's owner and the directory's owner - who must then be us. */
    unsigned mode = (unsigned)sb.st_mode & 07777;
    if ((mode & (S_IWGRP | S_IWOTH)) && (!(mode & S_ISVTX) || sb.st_uid != geteuid())) {
        close(f);
        if (!(mode & S_ISVTX))
            return vp_error_set(err, VP_ERR_IO, "%s: mode %04o lets %s rename what pack writes there (no sticky "
                                "bit); refused: give an archive directory only you can write to (chmod go-w), or "
                                "one with the sticky bit that you own", archive_dir, mode,
                                (mode & S_IWOTH) ? "other users" : "the group");
        return vp_error_set(err, VP_ERR_IO, "%s: mode %04o, owned by uid %lu, not by you (uid %lu): its owner can "
                            "rename what pack writes there even with the sticky bit; refused: give an archive "
                            "directory you own", archive_dir, mode, (unsigned long)sb.st_uid,
                            (unsigned long)geteuid());
    }
    *fd = f;
    return VP_OK;
}

/* ---- the record of what was written ---- */

/* rel's slot in the index: its file's, or the empty one where it would go. */
static size_t *slot_of(const vpk_staging *s, const char *rel)
{
    size_t i = vpc_hash(rel, strlen(rel)) & (s->index_cap - 1);
    while (s->index[i] && strcmp(s->files[s->index[i] - 1].rel, rel))
        i = (i + 1) & (s->index_cap - 1);
    return &s->index[i];
}

static vpk_staged_file *find(vpk_staging *s, const char *rel)
{
    size_t *slot = s->index_cap ? slot_of(s, rel) : NULL;
    return slot && *slot ? &s->files[*slot - 1] : NULL;
}

static int index_grow(vpk_staging *s)
{
    size_t cap = s->index_cap ? s->index_cap * 2 : 256, *old = s->index;
    if (!(s->index = calloc(cap, sizeof *s->index))) {
        s->index = old;
        return -1;
    }
    s->index_cap = cap;
    for (size_t i = 0; i < s->count; i++)
        *slot_of(s, s->files[i].rel) = i + 1;
    free(old);
    return 0;
}

vp_status vpk_staged_record(vpk_staging *s, const char *rel, const char sha256[65], long long size, vp_error *err)
{
    vpk_staged_file *f = find(s, rel);
    if (!f) {
        char *copy = strdup(rel);
        /* the core growable array; the slot is taken only once the name is copied */
        if (!copy || ((s->count + 1) * 2 > s->index_cap && index_grow(s)) ||
            !(f = vpc_vec_grow((void **)&s->files, &s->count, &s->cap, sizeof *s->files))) {
            free(copy);
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        }
        f->rel = copy;
        *slot_of(s, rel) = s->count;
    }
    memcpy(f->sha256, sha256, 65);
    f->size = size;
    return VP_OK;
}

const vpk_staged_file *vpk_staged_lookup(const vpk_staging *s, const char *rel)
{
    return find((vpk_staging *)s, rel);
}

/* ---- opening, closing ---- */

vp_status vpk_staging_open(vpk_staging *s, int archive_fd, const char *archive_dir, vp_error *err)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    struct stat sb, via;
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->archive_fd = archive_fd;
    for (int tries = 0; tries < 100; tries++) {
        unsigned char r[6];
        if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
            return vp_error_set(err, VP_ERR_IO, "cannot draw a random staging name: %s", strerror(errno));
        memcpy(s->name, ".staging-", 9);
        for (int i = 0; i < 6; i++)
            s->name[9 + i] = alphabet[r[i] % (sizeof alphabet - 1)];
        s->name[15] = '\0';
        if (!mkdirat(archive_fd, s->name, 0700))
            break;
        if (errno != EEXIST) {
            int e = errno;
            s->name[0] = '\0';
            return vp_error_set(err, VP_ERR_IO, "%s: cannot create a staging directory: %s", archive_dir,
                                strerror(e));
        }
        s->name[0] = '\0';
    }
    if (!s->name[0])
        return vp_error_set(err, VP_ERR_IO, "%s: cannot create a staging directory: every name tried exists",
                            archive_dir);
    snprintf(s->shown, sizeof s->shown, "%s/%s", archive_dir, s->name);
    s->fd = openat(archive_fd, s->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    /* between mkdirat and openat the name could have been pointed elsewhere: only a
     * directory of ours, private, will do */
    if (s->fd < 0 || fstat(s->fd, &sb) || !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid() || (sb.st_mode & 077)) {
        int e = errno, opened = s->fd >= 0;
        if (opened)
            close(s->fd);
        s->fd = -1;
        s->name[0] = '\0'; /* whatever the name leads to now is not ours to empty or remove */
        return vp_error_set(err, VP_ERR_IO, "%s: the staging directory just made is not ours (replaced by "
                            "someone?): %s", s->shown, opened ? "owner or mode changed" : strerror(e));
    }
    s->dev = sb.st_dev;
    s->ino = sb.st_ino;
    snprintf(s->root, sizeof s->root, "/proc/self/fd/%d", s->fd);
    if (stat(s->root, &via) || via.st_dev != sb.st_dev || via.st_ino != sb.st_ino)
        return vp_error_set(err, VP_ERR_IO, "%s: does not lead to the staging directory %s; pack needs /proc "
                            "mounted to hand the staging directory to its stages by descriptor", s->root, s->shown);
    return VP_OK;
}

/* Empties dirfd's directory without following links (best effort). */
static void empty_dir(int dirfd)
{
    int dup_fd = dup(dirfd);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    struct dirent *de;
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return;
    }
    rewinddir(d); /* a dup shares the offset an earlier listing left at the end */
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (!unlinkat(dirfd, de->d_name, 0) || errno != EISDIR)
            continue;
        int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) {
            empty_dir(sub);
            close(sub);
        }
        unlinkat(dirfd, de->d_name, AT_REMOVEDIR);
    }
    closedir(d);
}

void vpk_staging_close(vpk_staging *s)
{
    struct stat sb;
    if (s->fd >= 0) {
        empty_dir(s->fd);
        /* the name is removed only while it still is our directory: a look-alike put in
         * its place is someone else's */
        if (!fstatat(s->archive_fd, s->name, &sb, AT_SYMLINK_NOFOLLOW) && sb.st_dev == s->dev &&
            sb.st_ino == s->ino)
            unlinkat(s->archive_fd, s->name, AT_REMOVEDIR);
        close(s->fd);
    } else if (s->name[0]) {
        unlinkat(s->archive_fd, s->name, AT_REMOVEDIR);
    }
    for (size_t i = 0; i < s->count; i++)
        free(s->files[i].rel);
    free(s->files);
    free(s->index);
    memset(s, 0, sizeof *s);
    s->fd = -1;
}

/* ---- files below the staging directory ---- */

/* A descriptor of rel's parent directory (made when create is set), each component
 * opened without following links; *leaf points into rel. */
static vp_status open_parent(const vpk_staging *s, const char *rel, int create, int *out, const char **leaf,
                             vp_error *err)
{
    char part[4096];
    int dir = dup(s->fd);
    if (dir < 0)
        return vp_error_set(err, VP_ERR_IO, "%s/%s: %s", s->shown, rel, strerror(errno));
    const char *p = rel, *slash;
    while ((slash = strchr(p, '/'))) {
        size_t n = (size_t)(slash - p);
        if (n == 0 || n >= sizeof part) {
            close(dir);
            return vp_error_set(err, VP_ERR_INPUT, "%s/%s: not a plain relative path", s->shown, rel);
        }
        memcpy(part, p, n);
        part[n] = '\0';
        if (create && mkdirat(dir, part, 0755) && errno != EEXIST) {
            int e = errno;
            close(dir);
            return vp_error_set(err, VP_ERR_IO, "%s/%.*s: cannot create directory: %s", s->shown,
                                (int)(slash - rel), rel, strerror(e));
        }
        int next = openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        close(dir);
        if (next < 0)
            return vp_error_set(err, VP_ERR_IO, "%s/%.*s: cannot open directory: %s", s->shown, (int)(slash - rel),
                                rel, strerror(e));
        dir = next;
        p = slash + 1;
    }
    *out = dir;
    *leaf = p;
    return VP_OK;
}

vp_status vpk_staged_mkdirs(const vpk_staging *s, const char *rel, vp_error *err)
{
    int dir;
    const char *leaf;
    vp_status st = open_parent(s, rel, 1, &dir, &leaf, err);
    if (!st)
        close(dir);
    return st;
}

vp_status vpk_staged_create(const vpk_staging *s, const char *rel, int *fd, vp_error *err)
{
    int dir;
    const char *leaf;
    vp_status st = open_parent(s, rel, 1, &dir, &leaf, err);
    if (st)
        return st;
    *fd = openat(dir, leaf, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    int e = errno;
    close(dir);
    if (*fd < 0)
        return vp_error_set(err, VP_ERR_IO, "%s/%s: cannot create: %s", s->shown, rel, strerror(e));
    return VP_OK;
}

/* rel, which exists and is a regular file, opened with mode (O_RDONLY, O_RDWR | O_APPEND). */
static vp_status open_staged(const vpk_staging *s, const char *rel, int mode, int *fd, struct stat *sb, vp_error *err)
{
    int dir;
    const char *leaf;
    vp_status st = open_parent(s, rel, 0, &dir, &leaf, err);
    if (st)
        return st;
    *fd = openat(dir, leaf, mode | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    close(dir);
    if (*fd < 0)
        return vp_error_set(err, VP_ERR_IO, "%s/%s: cannot open: %s", s->shown, rel, strerror(e));
    if (fstat(*fd, sb) || !S_ISREG(sb->st_mode)) {
        close(*fd);
        *fd = -1;
        return vp_error_set(err, VP_ERR_IO, "%s/%s: not a regular file", s->shown, rel);
    }
    return VP_OK;
}

static vp_status write_all(const vpk_staging *s, const char *rel, int fd, const void *data, size_t len, vp_error *err)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, (const char *)data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return vp_error_set(err, VP_ERR_IO, "%s/%s: write failed: %s", s->shown, rel,
                                n < 0 ? strerror(errno) : "nothing written");
        done += (size_t)n;
    }
    return VP_OK;
}

vp_status vpk_staged_put(const vpk_staging *s, const char *rel, const void *data, size_t len, char sha256[65],
                         vp_error *err)
{
    int fd;
    vp_status st = vpk_staged_create(s, rel, &fd, err);
    if (st)
        return st;
    st = write_all(s, rel, fd, data, len, err);
    if (close(fd) && !st)
        st = vp_error_set(err, VP_ERR_IO, "%s/%s: write failed: %s", s->shown, rel, strerror(errno));
    if (!st)
        vp_sha256_hex(data, len, sha256); /* the bytes we hold are the bytes written */
    return st;
}

vp_status vpk_staged_write(vpk_staging *s, const char *rel, const void *data, size_t len, vp_error *err)
{
    char sha[65];
    vp_status st = vpk_staged_put(s, rel, data, len, sha, err);
    return st ? st : vpk_staged_record(s, rel, sha, (long long)len, err);
}

vp_status vpk_staged_append(vpk_staging *s, const char *rel, const void *data, size_t len, vp_error *err)
{
    int fd;
    struct stat sb;
    char sha[65], shown[4200];
    long long size = 0;
    vp_status st = open_staged(s, rel, O_RDWR | O_APPEND, &fd, &sb, err);
    if (st)
        return st;
    st = write_all(s, rel, fd, data, len, err);
    snprintf(shown, sizeof shown, "%s/%s", s->shown, rel);
    if (!st) /* the whole file, read back through the descriptor that wrote it */
        st = vp_sha256_fd(fd, shown, sha, &size, err);
    if (close(fd) && !st)
        st = vp_error_set(err, VP_ERR_IO, "%s/%s: write failed: %s", s->shown, rel, strerror(errno));
    return st ? st : vpk_staged_record(s, rel, sha, size, err);
}

vp_status vpk_staged_read(const vpk_staging *s, const char *rel, char **data, size_t *len, vp_error *err)
{
    int fd;
    struct stat sb;
    size_t got = 0;
    vp_status st = open_staged(s, rel, O_RDONLY, &fd, &sb, err);
    if (st)
        return st;
    size_t size = (size_t)sb.st_size;
    char *buf = malloc(size + 1);
    if (!buf)
        st = vp_error_set(err, VP_ERR_NOMEM, "%s/%s: out of memory reading %zu bytes", s->shown, rel, size);
    while (!st && got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            st = vp_error_set(err, VP_ERR_IO, "%s/%s: read failed: %s", s->shown, rel,
                              n < 0 ? strerror(errno) : "file shrank");
        else
            got += (size_t)n;
    }
    close(fd);
    if (st) {
        free(buf);
        return st;
    }
    buf[size] = '\0';
    *data = buf;
    *len = size;
    return VP_OK;
}

vp_status vpk_staged_unlink(const vpk_staging *s, const char *rel, vp_error *err)
{
    int dir;
    const char *leaf;
    vp_status st = open_parent(s, rel, 0, &dir, &leaf, err);
    if (st)
        return st;
    int bad = unlinkat(dir, leaf, 0);
    int e = errno;
    close(dir);
    return bad ? vp_error_set(err, VP_ERR_IO, "%s/%s: cannot remove: %s", s->shown, rel, strerror(e)) : VP_OK;
}

vp_status vpk_staged_hash(vpk_staging *s, const char *rel, char sha256[65], long long *size, vp_error *err)
{
    const vpk_staged_file *f = find(s, rel);
    if (f) {
        memcpy(sha256, f->sha256, 65);
        *size = f->size;
        return VP_OK;
    }
    /* written by a stage that takes paths (the live collector's raw/ responses) */
    int fd;
    struct stat sb;
    char shown[4200];
    snprintf(shown, sizeof shown, "%s/%s", s->shown, rel);
    vp_status st = open_staged(s, rel, O_RDONLY, &fd, &sb, err);
    if (st)
        return st;
    st = vp_sha256_fd(fd, shown, sha256, size, err);
    close(fd);
    return st ? st : vpk_staged_record(s, rel, sha256, *size, err);
}

/* ---- listing ---- */

typedef struct {
    char **items;
    size_t count, cap;
} name_list;

static vp_status walk(const vpk_staging *s, int dirfd, const char *rel, name_list *l, vp_error *err)
{
    int dup_fd = dup(dirfd);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return vp_error_set(err, VP_ERR_IO, "%s/%s: cannot list: %s", s->shown, rel, strerror(errno));
    }
    rewinddir(d); /* a dup shares the offset an earlier listing left at the end */
    vp_status st = VP_OK;
    struct dirent *de;
    while (!st && (de = readdir(d))) {
        char child[4096];
        struct stat sb;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if ((size_t)snprintf(child, sizeof child, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) >= sizeof child) {
            st = vp_error_set(err, VP_ERR_INPUT, "%s/%s/%s: path too long", s->shown, rel, de->d_name);
        } else if (fstatat(dirfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW)) {
            st = vp_error_set(err, VP_ERR_IO, "%s/%s: %s", s->shown, child, strerror(errno));
        } else if (S_ISDIR(sb.st_mode)) {
            int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) {
                st = vp_error_set(err, VP_ERR_IO, "%s/%s: cannot open directory: %s", s->shown, child, strerror(errno));
            } else {
                st = walk(s, sub, child, l, err);
                close(sub);
            }
        } else if (!S_ISREG(sb.st_mode)) {
            st = vp_error_set(err, VP_ERR_INPUT, "%s/%s: not a regular file or directory (symlinks are refused)",
                              s->shown, child);
        } else {
            if (l->count == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 64;
                char **v = realloc(l->items, cap * sizeof *v);
                if (!v) {
                    st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
                    break;
                }
                l->items = v;
                l->cap = cap;
            }
            if (!(l->items[l->count] = strdup(child)))
                st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
            else
                l->count++;
        }
    }
    closedir(d);
    return st;
}

vp_status vpk_staged_list(const vpk_staging *s, char ***paths, size_t *count, vp_error *err)
{
    name_list l = {0};
    vp_status st = walk(s, s->fd, "", &l, err);
    if (st) {
        vp_list_free(l.items, l.count);
        return st;
    }
    vp_list_sort(l.items, l.count);
    *paths = l.items;
    *count = l.count;
    return VP_OK;
}

/* ---- the archive holds exactly what was written ---- */

typedef struct {
    vpk_staging *s;
    const char *top;
    size_t seen;
} check_ctx;

/* Each file as the archive writer streamed it: its bytes must be the ones recorded when
 * it was written, so checking here, not by reading the finished archive back, costs one
 * hash of what is read anyway and no inflating. */
static vp_status check_written(const char *rel, unsigned long long size, const char sha256[65], void *ctx,
                               vp_error *err)
{
    check_ctx *c = ctx;
    const vpk_staged_file *f = find(c->s, rel);
    (void)size; /* the hash covers it */
    if (!f)
        return vp_error_set(err, VP_ERR_IO, "the bundle would hold %s/%s, which pack did not write; the staging "
                            "directory %s was changed by someone else", c->top, rel, c->s->shown);
    if (strcmp(f->sha256, sha256))
        return vp_error_set(err, VP_ERR_IO, "%s/%s has SHA-256 %.16s... as archived, but pack wrote %.16s...; the "
                            "staging directory %s was changed by someone else", c->top, rel, sha256, f->sha256,
                            c->s->shown);
    c->seen++;
    return VP_OK;
}

vp_status vpk_staged_archive(vpk_staging *s, const char *top, long long mtime, FILE *out, char archive_sha256[65],
                             vp_error *err)
{
    check_ctx c = {s, top, 0};
    /* the archive writer takes a path: the staging directory by descriptor */
    vp_status st = vp_archive_write_checked(s->root, top, mtime, out, check_written, &c, archive_sha256, err);
    if (!st && c.seen != s->count)
        st = vp_error_set(err, VP_ERR_IO, "the bundle would hold %zu of the %zu files pack wrote; the staging "
                          "directory %s was changed by someone else", c.seen, s->count, s->shown);
    return st;
}
