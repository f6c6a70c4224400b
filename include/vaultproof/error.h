/*
 * vaultproof/error.h - status codes and the error object every library call fills.
 *
 * Every fallible function returns a vp_status and, on failure, writes a message into
 * the caller's vp_error saying what failed, where (file and JSON pointer, or URL
 * without secrets) and what was expected. Messages never contain secrets.
 */
#ifndef VAULTPROOF_ERROR_H
#define VAULTPROOF_ERROR_H

#include <stddef.h>

typedef enum {
    VP_OK = 0,
    VP_ERR_CHECK,   /* an evidence check failed (verify, --fail-on) */
    VP_ERR_USAGE,   /* the command line is wrong */
    VP_ERR_INPUT,   /* invalid input: config, JSON, replay data */
    VP_ERR_COLLECT, /* collection failed or is incomplete */
    VP_ERR_CRYPTO,  /* signing, hashing or other crypto failure */
    VP_ERR_IO,      /* reading or writing a file failed */
    VP_ERR_NOMEM,   /* out of memory */
    VP_ERR_INTERNAL /* a bug: an invariant did not hold */
} vp_status;

#define VP_ERROR_MSG_MAX 1024

typedef struct {
    vp_status status;
    char message[VP_ERROR_MSG_MAX];
} vp_error;

/* A short, static description of a status ("invalid input"). Never NULL. */
const char *vp_strerror(vp_status status);

/* The documented process exit code for a status: 0 ok, 1 check failed, 2 usage,
 * 3 invalid input, 4 collection, 5 crypto, 6 I/O; out-of-memory and internal errors
 * map to 6 and 70 respectively. */
int vp_exit_code(vp_status status);

/* Records status and a printf-style message in err (which may be NULL) and returns
 * status, so callers can write `return vp_error_set(err, VP_ERR_INPUT, ...)`. An
 * existing message is overwritten. Messages longer than VP_ERROR_MSG_MAX are cut. */
vp_status vp_error_set(vp_error *err, vp_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to the message already in err (context added on the way up),
 * keeping its status. Returns err->status. */
vp_status vp_error_prefix(vp_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Resets err to VP_OK with an empty message. */
void vp_error_clear(vp_error *err);

#endif
