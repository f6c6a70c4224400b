#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "vaultproof/fileio.h"

/* What a non-regular file is, for messages. */
static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

/* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, and a
 * device's open may block too, before fstat could tell what the path is. O_NOCTTY: a
 * terminal given as an input must not become our controlling terminal. */
static vp_status open_regular(const char *path, int *fd_out, struct stat *stp, vp_error *err)
{
    struct stat st;
    *fd_out = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return vp_error_set(err, errno == ENOENT ? VP_ERR_INPUT : VP_ERR_IO, "%s: cannot open: %s", path,
                            strerror(errno));
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return vp_error_set(err, VP_ERR_IO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return vp_error_set(err, VP_ERR_INPUT, "%s: is %s; expected a regular file", path, file_kind(st.st_mode));
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        return vp_error_set(err, VP_ERR_IO, "%s: cannot open: %s", path, strerror(e));
    }
    *fd_out = fd;
    *stp = st;
    return VP_OK;
}

vp_status vp_open_regular(const char *path, int *fd, vp_error *err)
{
    struct stat st;
    return open_regular(path, fd, &st, err);
}

vp_status vp_fopen_regular(const char *path, FILE **fp, vp_error *err)
{
    int fd = -1;
    *fp = NULL;
    vp_status st = vp_open_regular(path, &fd, err);
    if (st)
        return st;
    if (!(*fp = fdopen(fd, "rb"))) {
        int e = errno;
        close(fd);
        return vp_error_set(err, e == ENOMEM ? VP_ERR_NOMEM : VP_ERR_IO, "%s: cannot open: %s", path, strerror(e));
    }
    return VP_OK;
}

/* Opens path for reading and checks it is a regular file of acceptable size (the rule
 * in fileio.h). */
static vp_status open_input(const char *path, vp_input_trust trust, int *fd_out, size_t *size, vp_error *err)
{
    struct stat st;
    int fd = -1;
    vp_status s = open_regular(path, &fd, &st, err);
    if (s)
        return s;
    if (trust != VP_INPUT_OWN && (unsigned long long)st.st_size > VP_MAX_INPUT_FILE) {
        close(fd);
        return vp_error_set(err, VP_ERR_INPUT, "%s: %lld bytes; expected at most %llu (the limit for inputs "
                            "vaultproof did not write itself)", path, (long long)st.st_size, VP_MAX_INPUT_FILE);
    }
    if ((unsigned long long)st.st_size >= SIZE_MAX) {
        close(fd);
        return vp_error_set(err, VP_ERR_NOMEM, "%s: %lld bytes do not fit this machine's address space", path,
                            (long long)st.st_size);
    }
    *fd_out = fd;
    *size = (size_t)st.st_size;
    return VP_OK;
}

vp_status vp_read_file(const char *path, char **data, size_t *len, vp_error *err)
{
    int fd = -1; /* set by open_input; initialized so -O3's flow analysis agrees */
    size_t size = 0, got = 0;
    vp_status st = open_input(path, VP_INPUT_UNTRUSTED, &fd, &size, err);
    if (st)
        return st;
    char *buf = malloc(size + 1);
    if (!buf) {
        close(fd);
        return vp_error_set(err, VP_ERR_NOMEM, "%s: out of memory reading %zu bytes", path, size);
    }
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            free(buf);
            close(fd);
            return vp_error_set(err, VP_ERR_IO, "%s: read failed: %s", path, strerror(e));
        }
        got += (size_t)n;
    }
    close(fd);
    buf[size] = '\0';
    *data = buf;
    *len = size;
    return VP_OK;
}

vp_status vp_map_file(const char *path, vp_input_trust trust, vp_mapped_file *out, vp_error *err)
{
    int fd = -1; /* as in vp_read_file */
    size_t size = 0;
    out->data = NULL;
    out->len = 0;
    vp_status st = open_input(path, trust, &fd, &size, err);
    if (st)
        return st;
    if (size > 0) {
        void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            close(fd);
            return vp_error_set(err, e == ENOMEM ? VP_ERR_NOMEM : VP_ERR_IO, "%s: cannot map %zu bytes: %s", path,
                                size, strerror(e));
        }
        madvise(p, size, MADV_SEQUENTIAL); /* read ahead, and drop pages behind the reader */
        out->data = p;
        out->len = size;
    }
    close(fd);
    return VP_OK;
}

void vp_unmap_file(vp_mapped_file *f)
{
    if (f->data)
        munmap((void *)f->data, f->len);
    f->data = NULL;
    f->len = 0;
}

struct vp_output {
    FILE *fp;
    char *path, *tmp; /* both NULL for stdout */
};

/* Publishing is a rename, which replaces whatever the name points at: for a device
 * node, a FIFO or a socket that would destroy it (as root, --out /dev/null replaced
 * /dev/null). Only a new path or an existing regular file is replaced; stat follows a
 * link, so a link to such a file is refused too. */
static vp_status check_replaceable(const char *path, vp_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return vp_error_set(err, VP_ERR_IO,
                            "%s: is %s; expected a regular file or a new path (outputs replace a file "
                            "atomically; use - for standard output)",
                            path, file_kind(st.st_mode));
    return VP_OK;
}

/* Creates tmp (ending in XXXXXX, replaced here) with O_EXCL and mode 0666: unlike
 * mkstemp (0600), the kernel then applies the umask and any default ACL exactly as for
 * any new file, so the output gets the mode the user chose without this thread reading
 * or changing the process-wide umask (umask() can only be read by setting it). */
static int create_temp(char *tmp)
{
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    char *x = tmp + strlen(tmp) - 6;
    unsigned long long mix = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32) ^ (uintptr_t)tmp;
    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned char r[6];
        if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) /* the name need not be secret */
            for (int i = 0; i < 6; i++, mix = mix * 6364136223846793005ull + 1442695040888963407ull)
                r[i] = (unsigned char)(mix >> 56);
        for (int i = 0; i < 6; i++)
            x[i] = chars[r[i] % (sizeof chars - 1)];
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1; /* errno is EEXIST */
}

vp_status vp_output_open(const char *path, vp_output **out, vp_error *err)
{
    *out = NULL;
    if (strcmp(path, "-") != 0) {
        vp_status st = check_replaceable(path, err);
        if (st)
            return st;
    }
    vp_output *o = calloc(1, sizeof *o);
    if (!o)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    if (strcmp(path, "-") == 0) {
        o->fp = stdout;
        *out = o;
        return VP_OK;
    }
    size_t n = strlen(path);
    o->path = strdup(path);
    o->tmp = malloc(n + 16);
    if (!o->path || !o->tmp) {
        vp_output_abort(o);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    memcpy(o->tmp, path, n);
    memcpy(o->tmp + n, ".tmp.XXXXXX", 12);
    int fd = create_temp(o->tmp);
    if (fd < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        vp_output_abort(o);
        return vp_error_set(err, VP_ERR_IO, "%s: cannot create output file: %s", path, strerror(e));
    }
    o->fp = fdopen(fd, "wb");
    if (!o->fp) {
        close(fd);
        vp_output_abort(o);
        return vp_error_set(err, VP_ERR_IO, "%s: cannot open output stream", path);
    }
    setvbuf(o->fp, NULL, _IOFBF, 1 << 20); /* outputs reach hundreds of MB */
    *out = o;
    return VP_OK;
}

FILE *vp_output_stream(vp_output *o)
{
    return o->fp;
}

vp_status vp_output_commit(vp_output *o, vp_error *err)
{
    vp_status st = VP_OK;
    if (!o->tmp) { /* stdout */
        if (fflush(o->fp) != 0 || ferror(o->fp))
            st = vp_error_set(err, VP_ERR_IO, "standard output: write failed: %s", strerror(errno));
        free(o);
        return st;
    }
    int bad = ferror(o->fp) || fflush(o->fp) != 0 || fsync(fileno(o->fp)) != 0;
    int e = errno;
    if (fclose(o->fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->fp = NULL;
    if (!bad && (st = check_replaceable(o->path, err))) { /* it may have changed during a long run */
        vp_output_abort(o);
        return st;
    }
    if (!bad && rename(o->tmp, o->path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad)
        st = vp_error_set(err, VP_ERR_IO, "%s: write failed: %s", o->path, strerror(e));
    else {
        free(o->tmp);
        o->tmp = NULL;
    }
    vp_output_abort(o);
    return st;
}

void vp_output_abort(vp_output *o)
{
    if (!o)
        return;
    if (o->fp && o->tmp)
        fclose(o->fp);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    free(o);
}

static void to_hex(const unsigned char md[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

vp_status vp_sha256_file(const char *path, char hex[65], vp_error *err)
{
    int fd = -1;
    size_t size;
    /* hashing streams in chunks: a file's size costs time, never memory */
    vp_status st = open_input(path, VP_INPUT_OWN, &fd, &size, err);
    if (st)
        return st;
    st = vp_sha256_fd(fd, path, hex, NULL, err); /* one hashing loop, in atfile.c */
    close(fd);
    return st;
}

void vp_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    to_hex(md, hex);
}

void vp_csv_field(FILE *fp, const char *value, int first)
{
    if (!first)
        fputc(',', fp);
    if (!value)
        return;
    if (!strpbrk(value, "\",\r\n")) {
        fputs(value, fp);
        return;
    }
    fputc('"', fp);
    for (; *value; value++) {
        if (*value == '"')
            fputc('"', fp);
        fputc(*value, fp);
    }
    fputc('"', fp);
}
