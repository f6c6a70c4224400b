/* The temporary directory of vp_fuzz_file and the oracle failure report. The directory is
 * the one piece of state a harness keeps between inputs: made once, removed at exit, so a
 * run of millions of inputs writes nothing anywhere else. */
#include "fuzz.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir[PATH_MAX];

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *e;
    char sub[PATH_MAX];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) < (int)sizeof sub)
            remove_tree(sub);
    }
    closedir(d);
    rmdir(path);
}

static void remove_fuzz_dir(void)
{
    if (fuzz_dir[0])
        remove_tree(fuzz_dir);
}

#ifndef VP_FUZZ_TRUST_DEFAULT
#define VP_FUZZ_TRUST_DEFAULT ""
#endif

const char *vp_fuzz_trust(void)
{
    const char *trust = getenv("VP_FUZZ_TRUST");
    if (!trust || !*trust)
        trust = VP_FUZZ_TRUST_DEFAULT;
    return *trust && access(trust, R_OK) == 0 ? trust : NULL;
}

_Noreturn void vp_fuzz_fail(const char *harness, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fuzz %s: oracle failed: ", harness);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

const char *vp_fuzz_file(const char *name, const uint8_t *data, size_t size)
{
    static char path[PATH_MAX];

    if (!fuzz_dir[0]) {
        const char *tmp = getenv("TMPDIR");
        if (snprintf(fuzz_dir, sizeof fuzz_dir, "%s/vp-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp") >=
                (int)sizeof fuzz_dir ||
            !mkdtemp(fuzz_dir)) {
            perror("vp_fuzz_file: mkdtemp");
            abort();
        }
        atexit(remove_fuzz_dir);
    }
    if (snprintf(path, sizeof path, "%s/%s", fuzz_dir, name) >= (int)sizeof path) {
        fprintf(stderr, "vp_fuzz_file: %s/%s: name too long\n", fuzz_dir, name);
        abort();
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror("vp_fuzz_file: open");
        abort();
    }
    for (size_t off = 0; off < size;) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0) {
            perror("vp_fuzz_file: write");
            abort();
        }
        off += (size_t)n;
    }
    close(fd);
    return path;
}
