/* Archive URLs, blob names, and the Blob Storage data plane: upload once, properties,
 * download, list. Every request goes through vp_az_client (azclient.h), which adds the
 * bearer token or the SAS and retries; URLs are shown only through vp_az_url_label. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "blob/internal.h"
#include "vaultproof/blob.h"

/* ---- URLs ---- */

static int is_account(const char *s, size_t n)
{
    if (n < 3 || n > 24)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Azure's container rule: 3-63 lowercase letters, digits and dashes, starting and ending
 * with a letter or digit, no two dashes in a row. */
static int is_container(const char *s, size_t n)
{
    if (n < 3 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!islower(ch) && !isdigit(ch) && ch != '-')
            return 0;
        if (ch == '-' && s[i + 1] == '-')
            return 0;
    }
    return 1;
}

/* The host is an address (path-style, as Azurite and other emulators serve): an IPv4 or
 * bracketed IPv6 literal, or localhost. */
static int is_path_style_host(const char *h, size_t n)
{
    if (n == 9 && !strncasecmp(h, "localhost", 9))
        return 1;
    if (n && h[0] == '[')
        return 1;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)h[i]) && h[i] != '.')
            return 0;
    return n > 0;
}

/* A prefix segment or blob name segment we write: what a file name needs and nothing a
 * URL or a path could read two ways. */
static int prefix_char(unsigned char ch)
{
    return isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~';
}

vp_status vp_blob_url_parse(const char *url, vp_blob_url *out, vp_error *err)
{
    memset(out, 0, sizeof *out);
    if (!url || strncasecmp(url, "https://", 8))
        return vp_error_set(err, VP_ERR_USAGE, "archive URL: expected https://<account>.blob.core.windows.net/"
                            "<container>/<prefix> (https only: TLS is always on)");
    if (strpbrk(url, "?#"))
        return vp_error_set(err, VP_ERR_USAGE, "archive URL: a query or fragment is not accepted (a SAS goes in the "
                            "environment variable named by --archive-sas-env, never in the URL)");
    const char *host = url + 8, *slash = strchr(host, '/');
    size_t host_len = slash ? (size_t)(slash - host) : strlen(host);
    if (memchr(host, '@', host_len))
        return vp_error_set(err, VP_ERR_USAGE, "archive URL: user information is not accepted");
    if (!host_len || host_len >= 200)
        return vp_error_set(err, VP_ERR_USAGE, "archive URL: no host");
    const char *colon = NULL;
    for (const char *p = host; p < host + host_len; p++)
        if (*p == ':' && (host[0] != '[' || (p > host && p[-1] == ']')))
            colon = p;
    size_t name_len = colon ? (size_t)(colon - host) : host_len;
    const char *path = slash ? slash + 1 : "";
    out->path_style = is_path_style_host(host, name_len);
    if (out->path_style) {
        const char *end = strchr(path, '/');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        if (!is_account(path, n))
            return vp_error_set(err, VP_ERR_USAGE, "archive URL: path-style (the host is an address): expected "
                                "https://HOST:PORT/<account>/<container>/<prefix>, the account 3-24 lowercase letters "
                                "and digits");
        memcpy(out->account, path, n);
        path = end ? end + 1 : path + n;
        snprintf(out->base, sizeof out->base, "https://%.*s/%s", (int)host_len, host, out->account);
    } else {
        const char *dot = memchr(host, '.', name_len);
        if (!dot || !is_account(host, (size_t)(dot - host)) || (size_t)(host + name_len - dot) < 7 ||
            strncasecmp(dot, ".blob.", 6))
            return vp_error_set(err, VP_ERR_USAGE, "archive URL: expected the host <account>.blob.<cloud suffix> (e.g. "
                                "contosoevidence.blob.core.windows.net), the account 3-24 lowercase letters and digits");
        memcpy(out->account, host, (size_t)(dot - host));
        snprintf(out->base, sizeof out->base, "https://%.*s", (int)host_len, host);
    }
    const char *end = strchr(path, '/');
    size_t n = end ? (size_t)(end - path) : strlen(path);
    if (!is_container(path, n))
        return vp_error_set(err, VP_ERR_USAGE, "archive URL: '%.*s': expected a container name (3-63 lowercase "
                            "letters, digits and single dashes, starting and ending with a letter or digit)",
                            (int)(n > 80 ? 80 : n), path);
    memcpy(out->container, path, n);
    const char *prefix = end ? end + 1 : "";
    size_t plen = strlen(prefix);
    while (plen && prefix[plen - 1] == '/')
        plen--;
    if (plen >= sizeof out->prefix)
        return vp_error_set(err, VP_ERR_USAGE, "archive URL: the prefix is longer than %zu characters",
                            sizeof out->prefix - 1);
    memcpy(out->prefix, prefix, plen);
    /* each segment non-empty, not "." or "..", of safe characters only */
    for (const char *seg = out->prefix; *seg;) {
        const char *e = strchr(seg, '/');
        size_t sl = e ? (size_t)(e - seg) : strlen(seg);
        int ok = sl > 0 && !(sl == 1 && seg[0] == '.') && !(sl == 2 && seg[0] == '.' && seg[1] == '.');
        for (size_t i = 0; ok && i < sl; i++)
            ok = prefix_char((unsigned char)seg[i]);
        if (!ok)
            return vp_error_set(err, VP_ERR_USAGE, "archive URL: prefix '%s': expected segments of letters, digits and "
                                "- _ . ~ separated by single '/', none of them '.' or '..'", out->prefix);
        seg = e ? e + 1 : seg + sl;
    }
    return VP_OK;
}

vp_status vp_blob_url_of(const vp_blob_url *u, const char *name, char *out, size_t size, vp_error *err)
{
    static const char hex[] = "0123456789ABCDEF";
    int n = snprintf(out, size, "%s/%s%s%s", u->base, u->container, u->prefix[0] ? "/" : "", u->prefix);
    size_t len = n < 0 ? size : (size_t)n;
    if (name && *name && len + 1 < size)
        out[len++] = '/';
    for (const char *p = name ? name : ""; *p && len + 4 < size; p++) {
        unsigned char ch = (unsigned char)*p;
        if (prefix_char(ch) || ch == '/') {
            out[len++] = (char)ch;
        } else {
            out[len++] = '%';
            out[len++] = hex[ch >> 4];
            out[len++] = hex[ch & 15];
        }
    }
    if (len + 4 >= size)
        return vp_error_set(err, VP_ERR_USAGE, "%s/%s: URL too long", u->container, name ? name : "");
    out[len] = '\0';
    return VP_OK;
}

void vp_blob_url_label(const vp_blob_url *u, char *out, size_t size)
{
    snprintf(out, size, "%s/%s%s%s", u->base, u->container, u->prefix[0] ? "/" : "", u->prefix);
}

vp_status vp_blob_check_name(const char *name, vp_error *err)
{
    size_t n = strlen(name);
    int ok = n > 0 && n < 1024 && name[0] != '/' && name[n - 1] != '/' && !strchr(name, '\\');
    for (const char *seg = name; ok && *seg;) {
        const char *e = strchr(seg, '/');
        size_t sl = e ? (size_t)(e - seg) : strlen(seg);
        ok = sl > 0 && !(sl == 1 && seg[0] == '.') && !(sl == 2 && seg[0] == '.' && seg[1] == '.');
        for (size_t i = 0; ok && i < sl; i++)
            ok = (unsigned char)seg[i] >= 0x20 && seg[i] != 0x7f;
        seg = e ? e + 1 : seg + sl;
    }
    if (ok)
        return VP_OK;
    char shown[200];
    size_t k = 0;
    for (const char *p = name; *p && k + 5 < sizeof shown; p++)
        k += (size_t)((unsigned char)*p < 0x20 || *p == 0x7f ? snprintf(shown + k, sizeof shown - k, "\\x%02x",
                                                                      (unsigned char)*p)
                                                             : snprintf(shown + k, sizeof shown - k, "%c", *p));
    shown[k] = '\0';
    return vp_error_set(err, VP_ERR_CHECK, "blob '%s' in the listing: refused (an absolute name, a backslash, a control "
                        "character, or an empty, '.' or '..' segment could write outside the download directory)",
                        shown);
}

/* ---- requests ---- */

void vpb_md5_base64(const void *data, size_t len, char out[32])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_md5(), NULL);
    EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
}

void vpb_http_date(char out[40])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

vp_status vpb_refused(vp_error *err, const char *method, const char *url, const vp_az_response *r, const char *hint)
{
    char label[600];
    vp_az_url_label(url, label, sizeof label);
    return vp_error_set(err, VP_ERR_COLLECT, "%s %s: HTTP %ld%s%s%s%s%s%s", method, label, r->status,
                        r->error_code[0] ? " " : "", r->error_code, r->error_message[0] ? ": " : "",
                        r->error_message, hint ? "; " : "", hint ? hint : "");
}

/* One data-plane request with the headers every one carries (version, date) plus extra. */
static vp_status data_request(vp_az_client *c, const char *method, const char *url, const vp_az_header *extra,
                              size_t n, const void *body, size_t len, vp_az_response *resp, vp_error *err)
{
    char date[40];
    vp_az_header h[12];
    size_t k = 0;
    vpb_http_date(date);
    h[k++] = (vp_az_header){"x-ms-version", VP_BLOB_API_VERSION};
    h[k++] = (vp_az_header){"x-ms-date", date};
    for (size_t i = 0; i < n && k < sizeof h / sizeof h[0]; i++)
        h[k++] = extra[i];
    memset(resp, 0, sizeof *resp);
    return vp_az_request(c, method, url, h, k, body, len, resp, err);
}

vp_status vp_blob_properties(vp_az_client *c, const vp_blob_url *u, const char *name, vp_blob_props *out,
                             vp_error *err)
{
    char url[2048];
    vp_az_response r;
    memset(out, 0, sizeof *out);
    vp_status st = vp_blob_url_of(u, name, url, sizeof url, err);
    if (st || (st = data_request(c, "HEAD", url, NULL, 0, NULL, 0, &r, err)))
        return st;
    if (r.status == 200) {
        const char *len = vp_az_response_header(&r, "Content-Length");
        const char *md5 = vp_az_response_header(&r, "Content-MD5");
        out->exists = 1;
        out->length = len ? strtoll(len, NULL, 10) : -1;
        snprintf(out->content_md5, sizeof out->content_md5, "%s", md5 ? md5 : "");
    } else if (r.status != 404) {
        st = vpb_refused(err, "HEAD", url, &r, r.status == 403 ? "the principal needs the role Storage Blob Data "
                                                                 "Contributor on the container, or a SAS with read "
                                                                 "and create permissions" : NULL);
    }
    vp_az_response_free(&r);
    return st;
}

/* Length and MD5 (base64) of a local file, read in blocks. */
static vp_status file_md5(const char *path, long long *size, char md5[32], vp_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char buf[1 << 16], md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    ssize_t n;
    long long total = 0;
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_md5(), NULL)) {
        EVP_MD_CTX_free(ctx);
        close(fd);
        return vp_error_set(err, VP_ERR_NOMEM, "MD5: cannot start a digest");
    }
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        total += n;
    }
    int e = errno;
    close(fd);
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    if (n < 0)
        return vp_error_set(err, VP_ERR_IO, "%s: read failed: %s", path, strerror(e));
    EVP_EncodeBlock((unsigned char *)md5, md, (int)mdlen);
    *size = total;
    return VP_OK;
}

/* The blob at name already exists: the same bytes are fine, anything else is refused. */
static vp_status compare_existing(const vp_blob_props *p, long long size, const char *md5, const char *url,
                                  vp_error *err)
{
    char label[600];
    if (p->length == size && !strcmp(p->content_md5, md5))
        return VP_OK;
    vp_az_url_label(url, label, sizeof label);
    return vp_error_set(err, VP_ERR_COLLECT, "%s: a blob of other content is already there (%lld bytes, MD5 %s; ours: "
                        "%lld bytes, MD5 %s); evidence is never overwritten: remove or rename it only if it is not "
                        "evidence, or archive to another prefix", label, p->length,
                        p->content_md5[0] ? p->content_md5 : "none", size, md5);
}

/* An echoed Content-MD5 must be the one sent (a CRC64 echo alone is accepted: the blob's
 * MD5 is checked after the commit anyway). */
static vp_status check_echo(const vp_az_response *r, const char *sent, const char *url, vp_error *err)
{
    const char *echo = vp_az_response_header(r, "Content-MD5");
    if (!echo || !strcmp(echo, sent))
        return VP_OK;
    char label[600];
    vp_az_url_label(url, label, sizeof label);
    return vp_error_set(err, VP_ERR_COLLECT, "%s: the service acknowledged MD5 %s, we sent %s: the data was changed "
                        "in transit", label, echo, sent);
}

static vp_status read_block(int fd, const char *path, unsigned char *buf, size_t want, size_t *got, vp_error *err)
{
    *got = 0;
    while (*got < want) {
        ssize_t n = read(fd, buf + *got, want - *got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return vp_error_set(err, VP_ERR_IO, "%s: read failed: %s", path, strerror(errno));
        if (n == 0)
            break;
        *got += (size_t)n;
    }
    return VP_OK;
}

/* 201: written. 409 / 412 on the final write: someone wrote the name since our HEAD; the
 * caller then compares what is there. *raced tells it. */
static vp_status final_status(const vp_az_response *r, const char *method, const char *url, int *raced, vp_error *err)
{
    *raced = 0;
    if (r->status == 201)
        return VP_OK;
    if (r->status == 409 || r->status == 412) {
        *raced = 1;
        return VP_OK;
    }
    return vpb_refused(err, method, url, r, r->status == 403 ? "the principal needs the role Storage Blob Data "
                                                               "Contributor, or the SAS create and write permissions"
                                                             : NULL);
}

static vp_status put_blocks(vp_az_client *c, const char *url, int fd, const char *path, long long size,
                            size_t block_size, const char *file_md5_b64, const char *ctype, int *raced, vp_error *err)
{
    size_t blocks = (size_t)((size + (long long)block_size - 1) / (long long)block_size);
    unsigned char *buf = malloc(block_size);
    size_t list_cap = 128 + blocks * 64;
    char *list = malloc(list_cap);
    char bu[2300];
    vp_status st = VP_OK;
    if (!buf || !list) {
        free(buf);
        free(list);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    size_t len = (size_t)snprintf(list, list_cap, "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
    for (size_t i = 0; i < blocks && !st; i++) {
        /* ids of one length for every block of the blob, as the service requires; 24
         * bytes encode to 32 base64 characters without padding */
        char raw[25], id[40], md5[32];
        size_t got = 0;
        memcpy(raw, "vaultproof-block-", 17);
        for (size_t d = 0, v = i; d < 7; d++, v /= 10)
            raw[23 - d] = (char)('0' + v % 10);
        raw[24] = '\0';
        EVP_EncodeBlock((unsigned char *)id, (const unsigned char *)raw, 24);
        char enc[64];
        size_t k = 0;
        for (const char *p = id; *p; p++)
            k += (size_t)(isalnum((unsigned char)*p) ? snprintf(enc + k, sizeof enc - k, "%c", *p)
                                                     : snprintf(enc + k, sizeof enc - k, "%%%02X", (unsigned char)*p));
        if ((st = read_block(fd, path, buf, block_size, &got, err)))
            break;
        vpb_md5_base64(buf, got, md5);
        snprintf(bu, sizeof bu, "%s?comp=block&blockid=%s", url, enc);
        vp_az_header h[] = {{"Content-MD5", md5}, {"Content-Type", "application/octet-stream"}};
        vp_az_response r;
        if ((st = data_request(c, "PUT", bu, h, 2, buf, got, &r, err)))
            break;
        if (r.status != 201)
            st = vpb_refused(err, "PUT (block)", url, &r, NULL);
        else
            st = check_echo(&r, md5, url, err);
        vp_az_response_free(&r);
        len += (size_t)snprintf(list + len, list_cap - len, "<Latest>%s</Latest>", id);
    }
    free(buf);
    if (!st) {
        char md5[32];
        len += (size_t)snprintf(list + len, list_cap - len, "</BlockList>");
        vpb_md5_base64(list, len, md5);
        snprintf(bu, sizeof bu, "%s?comp=blocklist", url);
        vp_az_header h[] = {{"Content-MD5", md5},
                            {"Content-Type", "application/xml"},
                            {"x-ms-blob-content-md5", file_md5_b64},
                            {"x-ms-blob-content-type", ctype},
                            {"If-None-Match", "*"}};
        vp_az_response r;
        if (!(st = data_request(c, "PUT", bu, h, 5, list, len, &r, err)) &&
            !(st = final_status(&r, "PUT (block list)", url, raced, err)) && !*raced)
            st = check_echo(&r, md5, url, err);
        vp_az_response_free(&r); /* zeroed by data_request when no response came */
    }
    free(list);
    return st;
}

static const char *content_type(const char *name)
{
    size_t n = strlen(name);
    if (n > 7 && !strcmp(name + n - 7, ".tar.gz"))
        return "application/gzip";
    if (n > 6 && !strcmp(name + n - 6, ".jsonl"))
        return "application/x-ndjson";
    if (n > 4 && !strcmp(name + n - 4, ".p7s"))
        return "application/pkcs7-signature";
    return "application/octet-stream";
}

vp_status vp_blob_upload_file(vp_az_client *c, const vp_blob_url *u, const char *name, const char *path,
                              size_t block_size, vp_blob_outcome *outcome, vp_error *err)
{
    char url[2048], md5[32], label[600];
    long long size = 0;
    vp_blob_props p;
    int raced = 0;
    vp_status st = vp_blob_url_of(u, name, url, sizeof url, err);
    if (!block_size)
        block_size = VP_BLOB_BLOCK_SIZE;
    if (st || (st = file_md5(path, &size, md5, err)))
        return st;
    if ((size + (long long)block_size - 1) / (long long)block_size > 50000) /* the service's block count limit */
        return vp_error_set(err, VP_ERR_USAGE, "%s: %lld bytes need more than 50000 blocks of %zu bytes", path, size,
                            block_size);
    if ((st = vp_blob_properties(c, u, name, &p, err)))
        return st;
    if (p.exists) {
        if ((st = compare_existing(&p, size, md5, url, err)))
            return st;
        *outcome = VP_BLOB_PRESENT;
        return VP_OK;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
    const char *ctype = content_type(name);
    if (size <= (long long)block_size) {
        unsigned char *buf = malloc(size ? (size_t)size : 1);
        size_t got = 0;
        if (!buf)
            st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        else if (!(st = read_block(fd, path, buf, (size_t)size, &got, err)) && got != (size_t)size)
            st = vp_error_set(err, VP_ERR_IO, "%s: changed while it was read", path);
        if (!st) {
            vp_az_header h[] = {{"x-ms-blob-type", "BlockBlob"}, {"Content-MD5", md5},
                                {"x-ms-blob-content-md5", md5},  {"Content-Type", ctype},
                                {"If-None-Match", "*"}};
            vp_az_response r;
            if (!(st = data_request(c, "PUT", url, h, 5, buf, got, &r, err))) {
                if (!(st = final_status(&r, "PUT", url, &raced, err)) && !raced)
                    st = check_echo(&r, md5, url, err);
                vp_az_response_free(&r);
            }
        }
        free(buf);
    } else {
        st = put_blocks(c, url, fd, path, size, block_size, md5, ctype, &raced, err);
    }
    close(fd);
    /* what is there now must be our bytes: after a race, whoever wrote it first */
    if (!st && !(st = vp_blob_properties(c, u, name, &p, err))) {
        vp_az_url_label(url, label, sizeof label);
        if (!p.exists)
            st = vp_error_set(err, VP_ERR_COLLECT, "%s: written, but Get Blob Properties finds no blob", label);
        else
            st = compare_existing(&p, size, md5, url, err);
    }
    if (!st)
        *outcome = raced ? VP_BLOB_PRESENT : VP_BLOB_UPLOADED;
    return st;
}

vp_status vp_blob_download(vp_az_client *c, const vp_blob_url *u, const char *name, const char *path, vp_error *err)
{
    char url[2048], md5[32];
    vp_az_response r;
    vp_status st = vp_blob_url_of(u, name, url, sizeof url, err);
    if (st || (st = data_request(c, "GET", url, NULL, 0, NULL, 0, &r, err)))
        return st;
    if (r.status != 200) {
        st = vpb_refused(err, "GET", url, &r, NULL);
        vp_az_response_free(&r);
        return st;
    }
    const char *echo = vp_az_response_header(&r, "Content-MD5");
    vpb_md5_base64(r.body, r.body_len, md5);
    if (echo && strcmp(echo, md5)) {
        char label[600];
        vp_az_url_label(url, label, sizeof label);
        st = vp_error_set(err, VP_ERR_COLLECT, "%s: the body's MD5 is %s, the blob's Content-MD5 %s", label, md5, echo);
        vp_az_response_free(&r);
        return st;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        st = vp_error_set(err, VP_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    } else {
        size_t off = 0;
        while (off < r.body_len && !st) {
            ssize_t n = write(fd, r.body + off, r.body_len - off);
            if (n < 0 && errno != EINTR)
                st = vp_error_set(err, VP_ERR_IO, "%s: write failed: %s", path, strerror(errno));
            else if (n > 0)
                off += (size_t)n;
        }
        if (close(fd) && !st)
            st = vp_error_set(err, VP_ERR_IO, "%s: close failed: %s", path, strerror(errno));
    }
    vp_az_response_free(&r);
    return st;
}

/* ---- listing ---- */

/* The text between <tag> and </tag> after *pos, entities decoded, into a new string;
 * NULL when there is none before `limit`. An empty element "<tag />" gives "". */
char *vpb_xml_text(const char *s, const char *limit, const char *tag, const char **after)
{
    char open[64], close_[64], empty[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close_, sizeof close_, "</%s>", tag);
    snprintf(empty, sizeof empty, "<%s />", tag);
    const char *a = strstr(s, open), *e = strstr(s, empty);
    if (e && (!a || e < a) && e < limit) {
        if (after)
            *after = e + strlen(empty);
        return strdup("");
    }
    if (!a || a >= limit)
        return NULL;
    a += strlen(open);
    const char *b = strstr(a, close_);
    if (!b || b > limit)
        return NULL;
    char *out = malloc((size_t)(b - a) + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    static const struct {
        const char *ent;
        char ch;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    for (const char *p = a; p < b;) {
        size_t i = 0;
        while (*p == '&' && i < 5 && strncmp(p, ents[i].ent, strlen(ents[i].ent)))
            i++;
        if (*p == '&' && i < 5) {
            out[n++] = ents[i].ch;
            p += strlen(ents[i].ent);
        } else if (*p == '&' && p[1] == '#') { /* numeric: control characters arrive this way */
            char *end = NULL;
            long v = p[2] == 'x' ? strtol(p + 3, &end, 16) : strtol(p + 2, &end, 10);
            if (!end || *end != ';' || v <= 0 || v > 0x7f) {
                out[n++] = '?'; /* not ASCII: kept visible as '?', which the name check lets through */
                p = end && *end == ';' ? end + 1 : p + 1;
            } else {
                out[n++] = (char)v;
                p = end + 1;
            }
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    if (after)
        *after = b + strlen(close_);
    return out;
}

void vp_blob_list_free(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

static vp_status add_name(char ***names, size_t *count, size_t *cap, char *name, vp_error *err)
{
    if (*count == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        char **nv = realloc(*names, nc * sizeof *nv);
        if (!nv) {
            free(name);
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        }
        *names = nv;
        *cap = nc;
    }
    (*names)[(*count)++] = name;
    return VP_OK;
}

/* One page's <Blob><Name>; names outside the prefix make the listing malformed. */
static vp_status parse_page(const vp_az_response *r, const vp_blob_url *u, const char *url, char ***names,
                            size_t *count, size_t *cap, char **marker, vp_error *err)
{
    const char *s = (const char *)r->body, *end = s + r->body_len;
    size_t plen = strlen(u->prefix);
    char label[600];
    vp_az_url_label(url, label, sizeof label);
    if (!strstr(s, "<EnumerationResults"))
        return vp_error_set(err, VP_ERR_COLLECT, "%s: the listing is not an EnumerationResults document", label);
    const char *blobs = strstr(s, "<Blobs>");
    const char *p = blobs ? blobs : end;
    const char *blob;
    while ((blob = strstr(p, "<Blob>")) && blob < end) {
        const char *stop = strstr(blob, "</Blob>");
        if (!stop)
            return vp_error_set(err, VP_ERR_COLLECT, "%s: a <Blob> element is not closed", label);
        char *name = vpb_xml_text(blob, stop, "Name", NULL);
        if (!name)
            return vp_error_set(err, VP_ERR_COLLECT, "%s: a <Blob> without <Name>", label);
        if (plen && (strncmp(name, u->prefix, plen) || name[plen] != '/')) {
            vp_status st = vp_error_set(err, VP_ERR_COLLECT, "%s: blob '%.200s' is outside the prefix asked for", label,
                                        name);
            free(name);
            return st;
        }
        if (plen)
            memmove(name, name + plen + 1, strlen(name + plen + 1) + 1);
        vp_status st = add_name(names, count, cap, name, err);
        if (st)
            return st;
        p = stop + 7;
    }
    /* NextMarker follows </Blobs> */
    const char *after_blobs = strstr(s, "</Blobs>");
    *marker = vpb_xml_text(after_blobs ? after_blobs : s, end, "NextMarker", NULL);
    return VP_OK;
}

static void query_escape(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s && n + 4 < size; s++) {
        unsigned char ch = (unsigned char)*s;
        n += (size_t)(prefix_char(ch) ? snprintf(out + n, size - n, "%c", ch)
                                      : snprintf(out + n, size - n, "%%%02X", ch));
    }
    out[n] = '\0';
}

vp_status vp_blob_list(vp_az_client *c, const vp_blob_url *u, unsigned page_size, char ***names, size_t *count,
                       vp_error *err)
{
    char max[32] = "";
    if (page_size)
        snprintf(max, sizeof max, "&maxresults=%u", page_size > 5000 ? 5000 : page_size);
    char *marker = NULL;
    size_t cap = 0;
    vp_status st = VP_OK;
    *names = NULL;
    *count = 0;
    for (int page = 0; !st; page++) {
        char url[4096], pfx[3200], mk[1200] = "";
        vp_az_response r;
        query_escape(u->prefix, pfx, sizeof pfx);
        if (marker)
            query_escape(marker, mk, sizeof mk);
        int len = snprintf(url, sizeof url, "%s/%s?restype=container&comp=list%s%s%s%s%s%s", u->base, u->container,
                           max, u->prefix[0] ? "&prefix=" : "", pfx, u->prefix[0] ? "%2F" : "",
                           marker ? "&marker=" : "", mk);
        free(marker);
        marker = NULL;
        if (len < 0 || (size_t)len >= sizeof url) {
            st = vp_error_set(err, VP_ERR_COLLECT, "%s/%s: the listing's marker is too long", u->base, u->container);
            break;
        }
        if ((st = data_request(c, "GET", url, NULL, 0, NULL, 0, &r, err)))
            break;
        if (r.status != 200)
            st = vpb_refused(err, "GET (list)", url, &r, r.status == 403 ? "listing needs the role Storage Blob "
                                                                           "Data Reader, or a SAS with list permission"
                                                                         : NULL);
        else
            st = parse_page(&r, u, url, names, count, &cap, &marker, err);
        vp_az_response_free(&r);
        if (!st && (!marker || !*marker))
            break;
        if (!st && page > 100000)
            st = vp_error_set(err, VP_ERR_COLLECT, "%s/%s: the listing does not end", u->base, u->container);
    }
    free(marker);
    if (st) {
        vp_blob_list_free(*names, *count);
        *names = NULL;
        *count = 0;
    }
    return st;
}
