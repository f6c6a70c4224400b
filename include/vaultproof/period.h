/*
 * vaultproof/period.h - the evidence period, defined once.
 *
 * A period is the half-open window [from, to) of UTC seconds a run's period evidence
 * (backup jobs, later the Activity Log) is collected and judged over. It is given as a
 * quarter (--period 2026-Q3: its first day 00:00:00Z up to the next quarter's first day)
 * or as two RFC 3339 UTC times (--from T --to T). The snapshot records it as
 * collection.period {label, from, to} (docs/snapshot-format.md); absent means the run
 * had no period. Nothing here allocates; every error is VP_ERR_USAGE (exit 2), since
 * periods come from the command line.
 */
#ifndef VAULTPROOF_PERIOD_H
#define VAULTPROOF_PERIOD_H

#include <stddef.h>

#include "vaultproof/error.h"

typedef struct {
    char label[8];      /* "2026-Q3" for a quarter; "" when given as --from/--to */
    long long from, to; /* epoch seconds, from < to; a time t is in the period when from <= t < to */
} vp_period;

/* Parses a quarter "YYYY-Qn" (four digits, year 1970..9999, n 1..4) into *out.
 * Errors: VP_ERR_USAGE naming command and the value. */
vp_status vp_period_quarter(const char *label, const char *command, vp_period *out, vp_error *err);

/* Parses --from and --to, each "YYYY-MM-DDThh:mm:ssZ" (RFC 3339, UTC only: no offset,
 * no fraction, a real calendar date), into *out with an empty label. from must be
 * before to. Errors: VP_ERR_USAGE naming the option and the value. */
vp_status vp_period_range(const char *from, const char *to, const char *command, vp_period *out, vp_error *err);

/* The one mapping of the period options every command uses: period (--period) or both
 * from and to (--from, --to), never both forms; all NULL means no period (*given = 0,
 * VP_OK). *out is set only when *given is 1. Errors: VP_ERR_USAGE (a form mixed with
 * the other, --from without --to, or a malformed value). */
vp_status vp_period_options(const char *period, const char *from, const char *to, const char *command,
                            vp_period *out, int *given, vp_error *err);

/* What `--period last-quarter` stands for (pack, collect): the last quarter that ended
 * before now, resolved by the run's clock (vaultproof/clock.h), so an unattended run on
 * the day after a quarter ends - or a late catch-up run during the next quarter - packs
 * the quarter that ended. */
#define VP_PERIOD_LAST_QUARTER "last-quarter"

/* The label ("YYYY-Qn") of the quarter before the one holding now (epoch seconds, UTC)
 * into label. now before 1970-04-01 (no earlier quarter a period may name) gives "". */
void vp_period_last_quarter(long long now, char label[8]);

/* 1 when from <= t < to. p may be NULL (no period: 0). */
int vp_period_contains(const vp_period *p, long long t);

#endif
