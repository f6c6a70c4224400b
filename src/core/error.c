#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vaultproof/error.h"

const char *vp_strerror(vp_status status)
{
    switch (status) {
    case VP_OK: return "success";
    case VP_ERR_CHECK: return "evidence check failed";
    case VP_ERR_USAGE: return "usage error";
    case VP_ERR_INPUT: return "invalid input";
    case VP_ERR_COLLECT: return "collection failed or incomplete";
    case VP_ERR_CRYPTO: return "signing or crypto error";
    case VP_ERR_IO: return "I/O error";
    case VP_ERR_NOMEM: return "out of memory";
    case VP_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

int vp_exit_code(vp_status status)
{
    switch (status) {
    case VP_OK: return 0;
    case VP_ERR_CHECK: return 1;
    case VP_ERR_USAGE: return 2;
    case VP_ERR_INPUT: return 3;
    case VP_ERR_COLLECT: return 4;
    case VP_ERR_CRYPTO: return 5;
    case VP_ERR_IO: return 6;
    case VP_ERR_NOMEM: return 6;
    case VP_ERR_INTERNAL: return 70;
    }
    return 70;
}

vp_status vp_error_set(vp_error *err, vp_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->status = status;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

vp_status vp_error_prefix(vp_error *err, const char *fmt, ...)
{
    char prefix[VP_ERROR_MSG_MAX], old[VP_ERROR_MSG_MAX];
    va_list ap;

    if (!err)
        return VP_ERR_INTERNAL;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    /* prefix + ": " + old, cut to fit: the start of the message matters most */
    size_t cap = sizeof err->message - 1, k = 0;
    const char *parts[] = {prefix, ": ", old};
    for (size_t i = 0; i < 3; i++) {
        size_t len = strlen(parts[i]);
        if (len > cap - k)
            len = cap - k;
        memcpy(err->message + k, parts[i], len);
        k += len;
    }
    err->message[k] = '\0';
    return err->status;
}

void vp_error_clear(vp_error *err)
{
    if (err) {
        err->status = VP_OK;
        err->message[0] = '\0';
    }
}
