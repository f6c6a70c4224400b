/* Hashing what a descriptor holds: for files reached through a directory descriptor
 * (openat), which must not be opened again by a path another user could redirect. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "vaultproof/fileio.h"

vp_status vp_sha256_fd(int fd, const char *label, char sha256[65], long long *size, vp_error *err)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[32];
    unsigned int mdlen = 0;
    long long total = 0;
    vp_status st = VP_OK;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *buf = malloc(1 << 20);
    if (!ctx || !buf || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        st = vp_error_set(err, VP_ERR_CRYPTO, "%s: cannot start SHA-256", label);
        goto done;
    }
    for (;;) {
        ssize_t n = pread(fd, buf, 1 << 20, (off_t)total);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = vp_error_set(err, VP_ERR_IO, "%s: read failed: %s", label, strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        total += n;
    }
    if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
        st = vp_error_set(err, VP_ERR_CRYPTO, "%s: SHA-256 failed", label);
        goto done;
    }
    for (unsigned i = 0; i < 32; i++) {
        sha256[2 * i] = digits[md[i] >> 4];
        sha256[2 * i + 1] = digits[md[i] & 15];
    }
    sha256[64] = '\0';
    if (size)
        *size = total;
done:
    free(buf);
    EVP_MD_CTX_free(ctx);
    return st;
}
