/*
 * vaultproof/clock.h - the one clock a run uses, and RFC 3339 time handling.
 *
 * Reproducible output needs a pinned clock: --now wins, then SOURCE_DATE_EPOCH, then
 * the system time. The resolved time is passed down explicitly; nothing else in the
 * engine reads the system clock.
 */
#ifndef VAULTPROOF_CLOCK_H
#define VAULTPROOF_CLOCK_H

#include <time.h>

#include "vaultproof/error.h"

typedef struct {
    long long epoch;  /* seconds since 1970-01-01T00:00:00Z */
    int pinned;       /* 1 when fixed by --now or SOURCE_DATE_EPOCH */
    const char *from; /* "--now", "SOURCE_DATE_EPOCH" or "system clock" (static) */
} vp_clock;

/* Resolves the clock. now_arg (may be NULL) is RFC 3339 UTC ("2026-09-30T02:00:00Z")
 * or "@" followed by epoch seconds; sde (may be NULL) is SOURCE_DATE_EPOCH's value.
 * Errors: VP_ERR_USAGE for a malformed --now, VP_ERR_INPUT for a malformed
 * SOURCE_DATE_EPOCH. */
vp_status vp_clock_resolve(const char *now_arg, const char *sde, vp_clock *out, vp_error *err);

/* Parses an RFC 3339 timestamp with optional fraction and a Z or +hh:mm offset.
 * Returns 0 and sets *epoch (whole seconds, fraction dropped) or -1 when malformed. */
int vp_time_parse(const char *s, long long *epoch);

/* Days from 1970-01-01 to a proleptic Gregorian date (m 1..12, d 1..31), for any year;
 * independent of the time zone. */
long long vp_days_from_civil(long long y, unsigned m, unsigned d);

/* The n decimal digits at s as a number in *out: 0, or -1 (and *out untouched) when any
 * of them is not a digit. For the fixed-width fields of time and period forms. */
int vp_time_digits(const char *s, int n, int *out);

/* Whether s is Azure Backup's "no backup yet" placeholder rather than a time: before the
 * first backup the service writes 2001-01-01T00:00:00Z (also with zero fractions or
 * +00:00) in lastBackupTime, lastRecoveryPoint and oldestRecoveryPoint instead of
 * omitting them. Any time before 2010-01-01 is taken as the placeholder (no Azure backup
 * is older). The snapshot keeps the value verbatim; evaluation and rendering say "never"
 * through this one test. 0 for NULL or a malformed time. */
int vp_time_is_never(const char *s);

/* Formats epoch as "YYYY-MM-DDThh:mm:ssZ" into buf (at least 21 bytes). */
char *vp_time_format(long long epoch, char *buf, size_t size);

#endif
