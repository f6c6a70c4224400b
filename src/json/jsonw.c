#include <errno.h>
#include <string.h>

#include "vaultproof/jsonw.h"

void vp_jw_init(vp_jsonw *w, FILE *fp)
{
    memset(w, 0, sizeof *w);
    w->fp = fp;
}

static int in_compact(const vp_jsonw *w)
{
    return w->depth > 0 && w->compact[w->depth - 1];
}

static void newline_indent(vp_jsonw *w)
{
    fputc('\n', w->fp);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->fp);
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
        fputc(',', w->fp);
    if (!in_compact(w))
        newline_indent(w);
}

static void open_container(vp_jsonw *w, char c, vp_jw_style style)
{
    int compact = style == VP_JW_COMPACT || in_compact(w);
    before_item(w);
    fputc(c, w->fp);
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
    fputc(w->close[w->depth], w->fp);
}

static void write_escaped(FILE *fp, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", fp); break;
        case '\\': fputs("\\\\", fp); break;
        case '\n': fputs("\\n", fp); break;
        case '\r': fputs("\\r", fp); break;
        case '\t': fputs("\\t", fp); break;
        case '\b': fputs("\\b", fp); break;
        case '\f': fputs("\\f", fp); break;
        default:
            if (*p < 0x20) {
                fputs("\\u00", fp);
                fputc(hex[*p >> 4], fp);
                fputc(hex[*p & 15], fp);
            } else {
                fputc(*p, fp);
            }
        }
    }
    fputc('"', fp);
}

void vp_jw_key(vp_jsonw *w, const char *key)
{
    before_item(w);
    write_escaped(w->fp, key);
    fputs(in_compact(w) ? ":" : ": ", w->fp);
    w->after_key = 1;
}

void vp_jw_string(vp_jsonw *w, const char *s)
{
    before_item(w);
    if (s)
        write_escaped(w->fp, s);
    else
        fputs("null", w->fp);
}

void vp_jw_int(vp_jsonw *w, long long v)
{
    before_item(w);
    fprintf(w->fp, "%lld", v);
}

void vp_jw_bool(vp_jsonw *w, int v)
{
    before_item(w);
    fputs(v ? "true" : "false", w->fp);
}

void vp_jw_null(vp_jsonw *w)
{
    before_item(w);
    fputs("null", w->fp);
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
    fputc('\n', w->fp);
    if (fflush(w->fp) != 0 || ferror(w->fp))
        return vp_error_set(err, VP_ERR_IO, "%s: write failed: %s", label, strerror(errno));
    return VP_OK;
}
