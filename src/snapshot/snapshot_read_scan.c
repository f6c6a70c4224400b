/* Finding the line of a JSON pointer in the document text, for messages about values
 * that were not read line by line (the header, or a file in another layout). */
#include <stdio.h>
#include <string.h>

#include "snapshot/snapshot_read_internal.h"

/* cJSON keeps no positions, so a message about a value of a parsed tree finds its line
 * by scanning the text again, descending only into the containers on the pointer's
 * path. Only error paths use this. Keys with \u escapes are not decoded: such a pointer
 * is not found and the message goes without a line. */

typedef struct {
    const char *s, *end;
    size_t line;
    const char *target;
    size_t tlen;
    char path[VP_ERROR_MSG_MAX];
} rd_scan;

static void scan_ws(rd_scan *z)
{
    for (; z->s < z->end && (*z->s == ' ' || *z->s == '\t' || *z->s == '\r' || *z->s == '\n'); z->s++)
        z->line += *z->s == '\n';
}

static int scan_string(rd_scan *z)
{
    for (z->s++; z->s < z->end && *z->s != '"'; z->s++)
        if (*z->s == '\\' && z->s + 1 < z->end)
            z->s++;
    if (z->s >= z->end)
        return 0;
    z->s++;
    return 1;
}

/* Skips one value of any kind. */
static int scan_skip(rd_scan *z)
{
    int depth = 0;
    while (z->s < z->end) {
        char ch = *z->s;
        if (ch == '"') {
            if (!scan_string(z))
                return 0;
            if (!depth)
                return 1;
            continue;
        }
        if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            if (!depth)
                return 1;
            if (--depth == 0) {
                z->s++;
                return 1;
            }
        } else if (!depth && (ch == ',' || ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')) {
            return 1;
        } else if (ch == '\n') {
            z->line++;
        }
        z->s++;
    }
    return depth == 0;
}

/* Appends "/" + the key at z->s (escaped as RFC 6901 does) to path[plen]; returns the
 * new length. A key this scan cannot compare gets a segment no pointer contains. */
static size_t scan_key(rd_scan *z, size_t plen)
{
    size_t n = plen, cap = sizeof z->path - 3;
    int ok = 1;
    z->path[n++] = '/';
    for (z->s++; z->s < z->end && *z->s != '"'; z->s++) {
        char ch = *z->s;
        if (ch == '\\' && z->s + 1 < z->end) {
            ch = *++z->s;
            ok &= ch == '"' || ch == '\\' || ch == '/';
        }
        if (n >= cap) {
            ok = 0;
            continue;
        }
        if (ch == '~' || ch == '/') {
            z->path[n++] = '~';
            ch = ch == '~' ? '0' : '1';
        }
        z->path[n++] = ch;
    }
    if (z->s < z->end)
        z->s++;
    if (!ok) {
        n = plen;
        z->path[n++] = '/';
        z->path[n++] = '\x01';
    }
    return n;
}

static int scan_value(rd_scan *z, size_t plen);

static int scan_object(rd_scan *z, size_t plen)
{
    for (z->s++;;) {
        scan_ws(z);
        if (z->s < z->end && *z->s == '}') {
            z->s++;
            return 0;
        }
        if (z->s >= z->end || *z->s != '"')
            return -1;
        size_t klen = scan_key(z, plen);
        scan_ws(z);
        if (z->s >= z->end || *z->s++ != ':')
            return -1;
        int r = scan_value(z, klen);
        if (r)
            return r;
        scan_ws(z);
        if (z->s < z->end && *z->s == ',')
            z->s++;
        else
            return z->s < z->end && *z->s++ == '}' ? 0 : -1;
    }
}

static int scan_array(rd_scan *z, size_t plen)
{
    z->s++;
    scan_ws(z);
    if (z->s < z->end && *z->s == ']') {
        z->s++;
        return 0;
    }
    for (int i = 0;; i++) {
        z->path[plen] = '\0';
        vp_json_pointer_index(z->path, sizeof z->path, z->path, i);
        int r = scan_value(z, strlen(z->path));
        if (r)
            return r;
        scan_ws(z);
        if (z->s < z->end && *z->s == ',')
            z->s++;
        else
            return z->s < z->end && *z->s++ == ']' ? 0 : -1;
    }
}

/* 1: the value at the target starts on z->line; 0: not in this value; -1: bad text. */
static int scan_value(rd_scan *z, size_t plen)
{
    scan_ws(z);
    if (z->s >= z->end)
        return -1;
    if (plen == z->tlen && memcmp(z->path, z->target, plen) == 0)
        return 1;
    int on_path = plen < z->tlen && memcmp(z->path, z->target, plen) == 0 && z->target[plen] == '/';
    if (on_path && *z->s == '{')
        return scan_object(z, plen);
    if (on_path && *z->s == '[')
        return scan_array(z, plen);
    return scan_skip(z) ? 0 : -1;
}

static size_t line_of_pointer(const char *text, size_t len, const char *pointer)
{
    rd_scan z = {.s = text, .end = text + len, .line = 1, .target = pointer, .tlen = strlen(pointer)};
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        z.s += 3;
    z.path[0] = '\0';
    return scan_value(&z, 0) == 1 ? z.line : 0;
}

/* The line of the value at ptr or, for a member that is missing, of the nearest
 * enclosing value. */
size_t vpn_rd_line_of_value(const char *text, size_t len, const char *ptr)
{
    char up[512];
    size_t line;
    snprintf(up, sizeof up, "%s", ptr);
    while ((line = line_of_pointer(text, len, up)) == 0 && up[0]) {
        char *slash = strrchr(up, '/');
        *slash = '\0';
    }
    return line;
}
