/* The evidence period (vaultproof/period.h): one parser for --period and --from/--to. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "vaultproof/clock.h"
#include "vaultproof/period.h"

static int is_leap(long long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

vp_status vp_period_quarter(const char *label, const char *command, vp_period *out, vp_error *err)
{
    int y = 0;
    if (!label || strlen(label) != 7 || vp_time_digits(label, 4, &y) || label[4] != '-' || label[5] != 'Q' || label[6] < '1' ||
        label[6] > '4' || y < 1970)
        return vp_error_set(err, VP_ERR_USAGE, "%s: --period '%s': expected YYYY-Qn (year 1970 or later), e.g. "
                            "2026-Q3", command, label ? label : "");
    unsigned q = (unsigned)(label[6] - '0'), first = 3 * q - 2;
    memcpy(out->label, label, 8);
    out->from = vp_days_from_civil(y, first, 1) * 86400;
    out->to = (q == 4 ? vp_days_from_civil(y + 1, 1, 1) : vp_days_from_civil(y, first + 3, 1)) * 86400;
    return VP_OK;
}

/* "YYYY-MM-DDThh:mm:ssZ" exactly: the period is UTC, and an offset or a fraction
 * would make two spellings of one window. */
static int parse_utc(const char *s, long long *epoch)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int Y, M, D, h, m, sec;
    if (!s || strlen(s) != 20 || vp_time_digits(s, 4, &Y) || s[4] != '-' || vp_time_digits(s + 5, 2, &M) || s[7] != '-' ||
        vp_time_digits(s + 8, 2, &D) || s[10] != 'T' || vp_time_digits(s + 11, 2, &h) || s[13] != ':' || vp_time_digits(s + 14, 2, &m) ||
        s[16] != ':' || vp_time_digits(s + 17, 2, &sec) || s[19] != 'Z')
        return -1;
    if (Y < 1970 || M < 1 || M > 12 || D < 1 || D > mdays[M - 1] + (M == 2 && is_leap(Y)) || h > 23 || m > 59 ||
        sec > 59)
        return -1;
    *epoch = vp_days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + m * 60 + sec;
    return 0;
}

vp_status vp_period_range(const char *from, const char *to, const char *command, vp_period *out, vp_error *err)
{
    long long f = 0, t = 0;
    if (parse_utc(from, &f))
        return vp_error_set(err, VP_ERR_USAGE, "%s: --from '%s': expected an RFC 3339 UTC time like "
                            "2026-07-01T00:00:00Z", command, from ? from : "");
    if (parse_utc(to, &t))
        return vp_error_set(err, VP_ERR_USAGE, "%s: --to '%s': expected an RFC 3339 UTC time like "
                            "2026-10-01T00:00:00Z", command, to ? to : "");
    if (f >= t)
        return vp_error_set(err, VP_ERR_USAGE, "%s: --from %s is not before --to %s (the period is [from, to))",
                            command, from, to);
    out->label[0] = '\0';
    out->from = f;
    out->to = t;
    return VP_OK;
}

vp_status vp_period_options(const char *period, const char *from, const char *to, const char *command,
                            vp_period *out, int *given, vp_error *err)
{
    *given = 0;
    if (period && (from || to))
        return vp_error_set(err, VP_ERR_USAGE, "%s: give --period or --from/--to, not both", command);
    if (!period && !from != !to)
        return vp_error_set(err, VP_ERR_USAGE, "%s: --%s needs --%s", command, from ? "from" : "to",
                            from ? "to" : "from");
    if (!period && !from)
        return VP_OK;
    vp_status st = period ? vp_period_quarter(period, command, out, err) : vp_period_range(from, to, command, out, err);
    *given = st == VP_OK;
    return st;
}

void vp_period_last_quarter(long long now, char label[8])
{
    long long days = now >= 0 ? now / 86400 : -1;
    label[0] = '\0';
    if (days < 0)
        return;
    /* the civil year and month of now, then one quarter back */
    long long y = 1970 + days / 366;
    while (vp_days_from_civil(y + 1, 1, 1) <= days)
        y++;
    unsigned m = 1;
    while (m < 12 && vp_days_from_civil(y, m + 1, 1) <= days)
        m++;
    unsigned q = (m - 1) / 3; /* the quarter before now's, 1..4 */
    if (q == 0) {
        q = 4;
        y--;
    }
    if (y < 1970 || y > 9999)
        return;
    /* a digit, not %u: GCC at -O1 cannot see q's range and warns the label may truncate */
    snprintf(label, 8, "%04lld-Q%c", y, (char)('0' + q));
}

int vp_period_contains(const vp_period *p, long long t)
{
    return p && p->from <= t && t < p->to;
}
