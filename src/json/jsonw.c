#include <errno.h>
#include <string.h>

#include "json/charclass.h"

#include "vaultproof/jsonw.h"

void vp_jw_init(vp_jsonw *w, FILE *fp)
{
    w->fp = fp;
    w->len = 0;
    w->depth = 0;
    w->after_key = 0;
    w->overflow = 0;
}

static void flush(vp_jsonw *w)
{
    if (w->len)
        fwrite(w->buf, 1, w->len, w->fp);
    w->len = 0;
}

static void put(vp_jsonw *w, const char *s, size_t n)
{
    if (w->len + n > sizeof w->buf) {
        flush(w);
        if (n > sizeof w->buf) {
            fwrite(s, 1, n, w->fp);
            return;
        }
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void putch(vp_jsonw *w, char c)
{
    if (w->len == sizeof w->buf)
        flush(w);
    w->buf[w->len++] = c;
}

#define PUTS(w, lit) put((w), (lit), sizeof(lit) - 1)

static int in_compact(const vp_jsonw *w)
{
    return w->depth > 0 && w->compact[w->depth - 1];
}

static void newline_indent(vp_jsonw *w)
{
    putch(w, '\n');
    for (int i = 0; i < w->depth; i++)
        PUTS(w, "  ");
}

/* Separator and indentation before a value or key at the current level. */
static void before_item(vp_jsonw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth == 0)
        return;
    if (w->count[w->depth - 1]++ > 0)
        putch(w, ',');
    if (!in_compact(w))
        newline_indent(w);
}

static void open_container(vp_jsonw *w, char c, vp_jw_style style)
{
    int compact = style == VP_JW_COMPACT || in_compact(w);
    before_item(w);
    putch(w, c);
    if (w->depth >= VP_JSONW_MAX_DEPTH) {
        w->overflow = 1;
        return;
    }
    w->count[w->depth] = 0;
    w->compact[w->depth] = compact;
    w->close[w->depth] = c == '{' ? '}' : ']';
    w->depth++;
}

void vp_jw_object(vp_jsonw *w, vp_jw_style style)
{
    open_container(w, '{', style);
}

void vp_jw_array(vp_jsonw *w, vp_jw_style style)
{
    open_container(w, '[', style);
}

void vp_jw_end(vp_jsonw *w)
{
    if (w->depth == 0) {
        w->overflow = 1;
        return;
    }
    int had = w->count[w->depth - 1] > 0, compact = w->compact[w->depth - 1];
    w->depth--;
    if (had && !compact)
        newline_indent(w);
    putch(w, w->close[w->depth]);
}

/* Bytes a JSON string cannot hold as they are (NUL ends the input). */
static const unsigned char needs_escape[256] = {
    VP_ROW1, VP_ROW1, VP_ROW_QUOTE, VP_ROW0, VP_ROW0, VP_ROW_BACKSLASH, VP_ROW0, VP_ROW0,
    VP_ROW0, VP_ROW0, VP_ROW0,      VP_ROW0, VP_ROW0, VP_ROW0,          VP_ROW0, VP_ROW0,
};

/* Copies runs that need no escaping in one piece. */
static void write_escaped(vp_jsonw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *run = p;
    putch(w, '"');
    for (;; p++) {
        unsigned char c = *p;
        if (!needs_escape[c])
            continue;
        if (p > run)
            put(w, (const char *)run, (size_t)(p - run));
        run = p + 1;
        if (c == '\0')
            break;
        switch (c) {
        case '"': PUTS(w, "\\\""); break;
        case '\\': PUTS(w, "\\\\"); break;
        case '\n': PUTS(w, "\\n"); break;
        case '\r': PUTS(w, "\\r"); break;
        case '\t': PUTS(w, "\\t"); break;
        case '\b': PUTS(w, "\\b"); break;
        case '\f': PUTS(w, "\\f"); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(w, u, sizeof u);
        }
        }
    }
    putch(w, '"');
}

void vp_jw_key(vp_jsonw *w, const char *key)
{
    before_item(w);
    write_escaped(w, key);
    if (in_compact(w))
        putch(w, ':');
    else
        PUTS(w, ": ");
    w->after_key = 1;
}

void vp_jw_string(vp_jsonw *w, const char *s)
{
    before_item(w);
    if (s)
        write_escaped(w, s);
    else
        PUTS(w, "null");
}

void vp_jw_int(vp_jsonw *w, long long v)
{
    char buf[24], *p = buf + sizeof buf;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    before_item(w);
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    put(w, p, (size_t)(buf + sizeof buf - p));
}

void vp_jw_bool(vp_jsonw *w, int v)
{
    before_item(w);
    if (v)
        PUTS(w, "true");
    else
        PUTS(w, "false");
}

void vp_jw_null(vp_jsonw *w)
{
    before_item(w);
    PUTS(w, "null");
}

void vp_jw_kstring(vp_jsonw *w, const char *key, const char *s)
{
    vp_jw_key(w, key);
    vp_jw_string(w, s);
}

void vp_jw_kint(vp_jsonw *w, const char *key, long long v)
{
    vp_jw_key(w, key);
    vp_jw_int(w, v);
}

void vp_jw_kbool(vp_jsonw *w, const char *key, int v)
{
    vp_jw_key(w, key);
    vp_jw_bool(w, v);
}

vp_status vp_jw_finish(vp_jsonw *w, const char *label, vp_error *err)
{
    if (w->overflow || w->depth != 0)
        return vp_error_set(err, VP_ERR_INTERNAL, "%s: JSON writer nesting is unbalanced", label);
    putch(w, '\n');
    flush(w);
    if (fflush(w->fp) != 0 || ferror(w->fp))
        return vp_error_set(err, VP_ERR_IO, "%s: write failed: %s", label, strerror(errno));
    return VP_OK;
}

void vp_jw_tool(vp_jsonw *w, vp_jw_style style, const char *version, const char *commit)
{
    vp_jw_key(w, "tool");
    vp_jw_object(w, style);
    vp_jw_kstring(w, "name", "vaultproof");
    vp_jw_kstring(w, "version", version);
    vp_jw_kstring(w, "commit", commit);
    vp_jw_end(w);
}
