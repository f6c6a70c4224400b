/*
 * vaultproof/retention.h - one documented convention for retention durations.
 *
 * Azure states retention as count + unit (Days, Weeks, Months, Years). To compare
 * tiers and minimums, vaultproof converts to whole days with the Julian year:
 *   Days x1, Weeks x7, Years x365.25, Months x365.25/12, rounded down.
 * So 12 Months == 1 Year == 365 days and 84 Months == 7 Years == 2556 days: a monthly
 * tier of N*12 months never counts as shorter than N years.
 */
#ifndef VAULTPROOF_RETENTION_H
#define VAULTPROOF_RETENTION_H

/* Converts count (0 .. 2^31-1) of unit to days. Unit names compare case-insensitively.
 * Returns 0 on success, -1 when the unit is not one of the four above ("Invalid",
 * unknown or NULL) or count is out of range; *days is then set to -1. */
int vp_retention_days(long long count, const char *unit, long long *days);

#endif
