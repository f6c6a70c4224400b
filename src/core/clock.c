#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaultproof/clock.h"

long long vp_days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

int vp_time_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int vp_time_parse(const char *s, long long *epoch)
{
    int Y, M, D, h, m, sec, oh = 0, om = 0, sign = 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!s || strlen(s) < 20 || vp_time_digits(s, 4, &Y) || s[4] != '-' || vp_time_digits(s + 5, 2, &M) || s[7] != '-' ||
        vp_time_digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || vp_time_digits(s + 11, 2, &h) ||
        s[13] != ':' || vp_time_digits(s + 14, 2, &m) || s[16] != ':' || vp_time_digits(s + 17, 2, &sec))
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '-' ? -1 : 1;
        if (vp_time_digits(p + 1, 2, &oh) || p[3] != ':' || vp_time_digits(p + 4, 2, &om))
            return -1;
        p += 6;
    } else {
        return -1;
    }
    if (*p || M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || m > 59 || sec > 60 || oh > 23 ||
        om > 59)
        return -1;
    *epoch = vp_days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + m * 60 + sec -
             sign * (oh * 3600 + om * 60);
    return 0;
}

char *vp_time_format(long long epoch, char *buf, size_t size)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, size, "invalid-time");
    return buf;
}

static int parse_epoch(const char *s, long long *out)
{
    char *end;
    if (!*s || !isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0 || v > 253402300799LL) /* up to 9999-12-31 */
        return -1;
    *out = v;
    return 0;
}

vp_status vp_clock_resolve(const char *now_arg, const char *sde, vp_clock *out, vp_error *err)
{
    if (now_arg) {
        int bad = now_arg[0] == '@' ? parse_epoch(now_arg + 1, &out->epoch) : vp_time_parse(now_arg, &out->epoch);
        if (bad)
            return vp_error_set(err, VP_ERR_USAGE,
                                "--now '%s': expected an RFC 3339 UTC time like 2026-09-30T02:00:00Z or "
                                "@EPOCH_SECONDS",
                                now_arg);
        out->pinned = 1;
        out->from = "--now";
        return VP_OK;
    }
    if (sde && *sde) {
        if (parse_epoch(sde, &out->epoch))
            return vp_error_set(err, VP_ERR_INPUT,
                                "SOURCE_DATE_EPOCH='%s': expected whole seconds since 1970-01-01", sde);
        out->pinned = 1;
        out->from = "SOURCE_DATE_EPOCH";
        return VP_OK;
    }
    out->epoch = (long long)time(NULL);
    out->pinned = 0;
    out->from = "system clock";
    return VP_OK;
}

int vp_time_is_never(const char *s)
{
    long long t;
    return s && vp_time_parse(s, &t) == 0 && t < vp_days_from_civil(2010, 1, 1) * 86400;
}
