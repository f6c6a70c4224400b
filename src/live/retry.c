/* Retry policy: what is retried, how long to wait, how to pace before ARM throttles.
 * Pure arithmetic, so the unit tests can check it without a server. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "live/internal.h"
#include "vaultproof/clock.h"

#define RETRY_AFTER_CAP_MS 300000LL

/* "Wed, 30 Sep 2026 02:00:18 GMT" (RFC 1123, the only HTTP-date form servers send) */
static int parse_http_date(const char *s, long long *epoch)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char mon[4];
    int day, year, hh, mm, ss;
    const char *comma = strchr(s, ',');
    if (!comma)
        return -1;
    if (sscanf(comma + 1, " %d %3s %d %d:%d:%d GMT", &day, mon, &year, &hh, &mm, &ss) != 6)
        return -1;
    const char *m = strstr(months, mon);
    if (!m || strlen(mon) != 3 || (m - months) % 3 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 ||
        year < 1970)
        return -1;
    long long days = vp_days_from_civil(year, (unsigned)((m - months) / 3 + 1), (unsigned)day);
    *epoch = days * 86400 + hh * 3600 + mm * 60 + ss;
    return 0;
}

long long vpv_retry_after_ms(const char *value, long long now_epoch)
{
    if (!value || !*value)
        return -1;
    if (isdigit((unsigned char)value[0])) {
        char *end;
        long long secs = strtoll(value, &end, 10);
        if (*end != '\0' || secs < 0)
            return -1;
        return secs > RETRY_AFTER_CAP_MS / 1000 ? RETRY_AFTER_CAP_MS : secs * 1000;
    }
    long long at;
    if (parse_http_date(value, &at))
        return -1;
    long long ms = (at - now_epoch) * 1000;
    return ms < 0 ? 0 : ms > RETRY_AFTER_CAP_MS ? RETRY_AFTER_CAP_MS : ms;
}

long long vpv_backoff_ms(int attempt, long long base_ms, long long cap_ms, unsigned long long *rng)
{
    long long d = base_ms;
    for (int i = 1; i < attempt && d < cap_ms; i++)
        d *= 2;
    if (d > cap_ms)
        d = cap_ms;
    /* jitter in [d/2, d]: spreads retries of many parallel calls apart */
    long long half = d / 2;
    return half + (half ? (long long)(vpv_rand(rng) % (unsigned long long)(d - half + 1)) : 0);
}

long long vpv_pace_ms(long long remaining)
{
    if (remaining < 0 || remaining >= 200)
        return 0;
    if (remaining >= 100)
        return 20;  /* ~50/s: still above the refill, but the budget lasts */
    if (remaining >= 25)
        return 40;  /* ~25/s: the documented refill rate */
    return 250;     /* nearly empty: let the bucket refill */
}

static int json_content(const char *ct)
{
    size_t n = strcspn(ct, ";");
    while (n && isspace((unsigned char)ct[n - 1]))
        n--;
    return (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
           (n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0);
}

const char *vpv_retry_reason(const vl_response *r)
{
    switch (r->code) {
    case CURLE_OK: break;
    case CURLE_PARTIAL_FILE: return "truncated response body";
    case CURLE_OPERATION_TIMEDOUT: return "timed out";
    case CURLE_COULDNT_CONNECT: return "could not connect";
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING: return "connection reset or closed without a response";
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return "HTTP/2 stream error";
    case CURLE_BAD_CONTENT_ENCODING: return "corrupt compressed body";
    default: return NULL; /* TLS, DNS, bad URL: retrying cannot help */
    }
    if (r->status == 429)
        return "throttled (HTTP 429)";
    if (r->status >= 500)
        return "server error";
    if (r->status == 200 && !json_content(r->content_type))
        return "wrong content type";
    return NULL;
}

int vpv_tls_failure(CURLcode code)
{
    return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CONNECT_ERROR ||
           code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_ISSUER_ERROR;
}
