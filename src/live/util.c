/* Small helpers of the live collector: clocks, a byte buffer, URL scrubbing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "live/internal.h"
#include "vaultproof/clock.h"
#include "vaultproof/json.h"

long long vpv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long vpv_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *vpv_rfc3339_ms(long long wall_ms, char buf[32])
{
    char whole[24];
    vp_time_format(wall_ms / 1000, whole, sizeof whole); /* "YYYY-MM-DDTHH:MM:SSZ" */
    size_t n = strlen(whole);
    if (n && whole[n - 1] == 'Z')
        whole[n - 1] = '\0';
    snprintf(buf, 32, "%.20s.%03uZ", whole, (unsigned)(wall_ms % 1000));
    return buf;
}

unsigned vpv_rand(unsigned long long *s)
{
    unsigned long long x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return (unsigned)(x >> 32);
}

int vpv_buf_add(vl_buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            return -1;
        b->data = d;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

void vpv_buf_free(vl_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static int kept_param(const char *p, size_t len)
{
    static const char *const keep[] = {"api-version", "$filter", "$skipToken", "$top", "%24filter", "%24skipToken",
                                       "%24top"};
    size_t klen = strcspn(p, "=");
    if (klen > len)
        klen = len;
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (strlen(keep[i]) == klen && strncasecmp(p, keep[i], klen) == 0)
            return 1;
    return 0;
}

void vpv_url_scrub(const char *url, char *out, size_t size)
{
    size_t o = 0;
    if (!size)
        return;
    out[0] = '\0';
#define PUT(s, n) do { size_t n_ = (n); if (o + n_ >= size) n_ = size - 1 - o; memcpy(out + o, (s), n_); o += n_; out[o] = '\0'; } while (0)
    const char *scheme = strstr(url, "://");
    const char *auth_start = scheme ? scheme + 3 : url;
    size_t hostpart = strcspn(auth_start, "/?#");
    const char *at = memchr(auth_start, '@', hostpart);
    PUT(url, (size_t)(auth_start - url));
    if (at) /* credentials in the authority never leave */
        PUT(at + 1, hostpart - (size_t)(at + 1 - auth_start));
    else
        PUT(auth_start, hostpart);
    const char *rest = auth_start + hostpart;
    size_t pathlen = strcspn(rest, "?#");
    PUT(rest, pathlen);
    const char *q = rest + pathlen;
    if (*q != '?')
        return;
    q++;
    int first = 1;
    while (*q && *q != '#') {
        size_t len = strcspn(q, "&#");
        if (len && kept_param(q, len)) {
            PUT(first ? "?" : "&", 1);
            PUT(q, len);
            first = 0;
        }
        q += len;
        if (*q == '&')
            q++;
    }
#undef PUT
}

cJSON *vpv_json_parse(const char *data, size_t len)
{
    cJSON *root = NULL;
    vp_error err = {0};
    if (vp_json_parse("response", data ? data : "", len, &root, &err) != VP_OK)
        return NULL;
    return root;
}

/* One row per national cloud: the endpoints a credential and a request need. */
static const vpv_cloud clouds[] = {
    {"AzureCloud", "https://management.azure.com", "https://login.microsoftonline.com", "https://management.azure.com/"},
    {"AzureUSGovernment", "https://management.usgovcloudapi.net", "https://login.microsoftonline.us",
     "https://management.usgovcloudapi.net/"},
    {"AzureChinaCloud", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn",
     "https://management.chinacloudapi.cn/"},
};

const vpv_cloud *vpv_cloud_find(const char *name)
{
    for (size_t i = 0; i < sizeof clouds / sizeof clouds[0]; i++)
        if (!strcmp(clouds[i].name, name))
            return &clouds[i];
    return NULL;
}
