#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/charclass.h"

#include "core/arena.h"
#include "vaultproof/fileio.h"
#include "vaultproof/json.h"

static void line_col(const char *data, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (data[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0 when invalid:
 * overlong forms, surrogates and code points above U+10FFFF are invalid. */
static size_t utf8_sequence(const unsigned char *p, size_t n)
{
    uint32_t cp;
    size_t len;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;
        cp = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        cp = p[0] & 0x0f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Bytes that end a run of ordinary string content: quote, backslash, control
 * characters and the start of a multi-byte sequence. A table lookup per byte keeps the
 * scan of hundreds of megabytes cheap. */
static const unsigned char string_stop[256] = {
    VP_ROW1, VP_ROW1, VP_ROW_QUOTE, VP_ROW0, VP_ROW0, VP_ROW_BACKSLASH, VP_ROW0, VP_ROW0,
    VP_ROW1, VP_ROW1, VP_ROW1,      VP_ROW1, VP_ROW1, VP_ROW1,          VP_ROW1, VP_ROW1,
};

/* Where the prescan is in the document: one frame per open object or array, so an
 * error can name its JSON pointer. Keys are kept as offsets into the text and decoded
 * only when an error is reported. */
typedef struct {
    unsigned char object, want_key, has_key;
    size_t key_off, key_len; /* the raw bytes between the quotes of the current key */
    size_t index;            /* the current element of an array */
} scan_frame;

typedef struct {
    const char *label;
    const unsigned char *p;
    size_t len;
    size_t depth;
    int in_key; /* the string being scanned is a key: it is not part of the pointer yet */
    scan_frame frames[VP_JSON_MAX_DEPTH + 1];
} scan_state;

static int hex4(const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned c = p[k];
        unsigned d = c >= '0' && c <= '9'   ? c - '0'
                     : c >= 'a' && c <= 'f' ? c - 'a' + 10
                     : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                            : 16;
        if (d > 15)
            return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* A key as its decoded text, cut to fit out. The key was validated when it was
 * scanned, so every escape in it is complete. */
static void decode_key(const unsigned char *s, size_t n, char *out, size_t size)
{
    static const char plain[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < size;) {
        if (s[i] != '\\') {
            out[o++] = (char)s[i++];
            continue;
        }
        const char *k = strchr(plain, s[i + 1]);
        if (k && s[i + 1]) {
            out[o++] = decoded[k - plain];
            i += 2;
            continue;
        }
        unsigned cp = 0, lo = 0;
        hex4(s + i + 2, &cp);
        i += 6;
        if (cp >= 0xd800 && cp <= 0xdbff && hex4(s + i + 2, &lo)) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
        }
        o += put_utf8(out + o, cp);
    }
    out[o] = '\0';
}

/* The JSON pointer of the value being scanned. */
static void scan_pointer(const scan_state *s, char *ptr, size_t size)
{
    char key[256];
    ptr[0] = '\0';
    for (size_t d = 1; d <= s->depth; d++) {
        const scan_frame *f = &s->frames[d];
        if (d == s->depth && s->in_key)
            break; /* the error is in the key itself: the pointer is its object's */
        if (!f->object) {
            vp_json_pointer_index(ptr, size, ptr, (int)(f->index > INT_MAX ? INT_MAX : f->index));
        } else if (f->has_key) {
            decode_key(s->p + f->key_off, f->key_len, key, sizeof key);
            vp_json_pointer_join(ptr, size, ptr, key);
        }
    }
}

/* "<label>:<line>:<col>: <pointer>: <what>; expected <expected>" for the byte at off. */
static vp_status scan_fail(const scan_state *s, size_t off, vp_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static vp_status scan_fail(const scan_state *s, size_t off, vp_error *err, const char *fmt, ...)
{
    char what[256], ptr[1024];
    size_t line, col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    line_col((const char *)s->p, off, &line, &col);
    scan_pointer(s, ptr, sizeof ptr);
    return vp_error_set(err, VP_ERR_INPUT, "%s:%zu:%zu: %s: %s", s->label, line, col, ptr[0] ? ptr : "(document root)",
                        what);
}

/* One backslash escape at p[i] inside a string (RFC 8259 section 7). Returns the bytes
 * it takes, 0 when the text ends inside it (a truncated file), or SIZE_MAX after
 * setting err. */
static size_t scan_escape(const scan_state *s, size_t i, vp_error *err)
{
    const unsigned char *p = s->p;
    size_t left = s->len - i;
    unsigned cp, lo;
    if (left < 2)
        return 0;
    if (strchr("\"\\/bfnrt", p[i + 1]) && p[i + 1])
        return 2;
    if (p[i + 1] != 'u') {
        scan_fail(s, i, err, "invalid escape '\\%c'; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
                  p[i + 1] >= 0x20 && p[i + 1] < 0x7f ? p[i + 1] : '?');
        return SIZE_MAX;
    }
    if (left < 6)
        return 0;
    if (!hex4(p + i + 2, &cp)) {
        scan_fail(s, i, err, "invalid escape '\\u%.4s'; expected \\u and four hex digits", (const char *)p + i + 2);
        return SIZE_MAX;
    }
    if (cp == 0) {
        /* cJSON's strings end at NUL: "Locked\u0000..." would read as "Locked" */
        scan_fail(s, i, err, "escaped NUL (\\u0000) in a string; expected text without NUL characters");
        return SIZE_MAX;
    }
    if (cp >= 0xdc00 && cp <= 0xdfff) {
        scan_fail(s, i, err, "lone low surrogate \\u%04X; expected it after a high surrogate (\\uD800-\\uDBFF)", cp);
        return SIZE_MAX;
    }
    if (cp < 0xd800 || cp > 0xdbff)
        return 6;
    if (left < 12)
        return left >= 7 && p[i + 6] != '\\' ? (scan_fail(s, i, err, "lone high surrogate \\u%04X; expected a low "
                                                          "surrogate escape (\\uDC00-\\uDFFF) right after it", cp),
                                                SIZE_MAX)
                                             : 0;
    if (p[i + 6] != '\\' || p[i + 7] != 'u' || !hex4(p + i + 8, &lo) || lo < 0xdc00 || lo > 0xdfff) {
        scan_fail(s, i, err, "lone high surrogate \\u%04X; expected a low surrogate escape (\\uDC00-\\uDFFF) right "
                  "after it", cp);
        return SIZE_MAX;
    }
    return 12;
}

#define MAX_NUMBER 63 /* cJSON reads at most 63 characters of a number */

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* A number at p[i] (RFC 8259 section 6): -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?,
 * finite as a double. Returns its length, or 0 after setting err. */
static size_t scan_number(const scan_state *s, size_t i, vp_error *err)
{
    const unsigned char *p = s->p;
    size_t j = i, n = s->len;
    const char *bad = NULL;
    int exponent = 0;
    if (p[j] == '-')
        j++;
    if (j < n && p[j] == '0') {
        if (++j < n && is_digit(p[j]))
            bad = "number with a leading zero; expected no leading zeros";
    } else if (j < n && is_digit(p[j])) {
        while (j < n && is_digit(p[j]))
            j++;
    } else {
        bad = "'-' without digits; expected a number";
    }
    if (!bad && j < n && p[j] == '.') {
        if (++j == n || !is_digit(p[j]))
            bad = "number without digits after '.'; expected a digit after the decimal point";
        while (j < n && is_digit(p[j]))
            j++;
    }
    if (!bad && j < n && (p[j] == 'e' || p[j] == 'E')) {
        exponent = 1;
        if (++j < n && (p[j] == '+' || p[j] == '-'))
            j++;
        if (j == n || !is_digit(p[j]))
            bad = "number without digits in its exponent; expected a digit after 'e'";
        while (j < n && is_digit(p[j]))
            j++;
    }
    if (!bad && j < n && (p[j] == '.' || p[j] == 'e' || p[j] == 'E' || p[j] == '+' || p[j] == '-'))
        bad = "malformed number; expected a JSON number (RFC 8259 section 6)";
    if (bad) {
        scan_fail(s, i, err, "%s", bad);
        return 0;
    }
    if (j - i > MAX_NUMBER) {
        scan_fail(s, i, err, "number of %zu characters; expected at most %d", j - i, MAX_NUMBER);
        return 0;
    }
    if (exponent) { /* without an exponent, 63 characters cannot overflow a double */
        char buf[MAX_NUMBER + 1], *dot;
        memcpy(buf, p + i, j - i);
        buf[j - i] = '\0';
        if ((dot = strchr(buf, '.')) != NULL) /* strtod reads the locale's decimal point, as cJSON does */
            *dot = localeconv()->decimal_point[0];
        if (isinf(strtod(buf, NULL))) {
            memcpy(buf, p + i, j - i);
            scan_fail(s, i, err, "number %s is out of range; expected a finite number (at most about 1.8e308)", buf);
            return 0;
        }
    }
    return j - i;
}

/* One pass over the bytes before cJSON sees them. cJSON accepts invalid UTF-8, cuts a
 * string at \u0000, reads a bad \u escape as U+0000, takes numbers with leading zeros,
 * "1." or an exponent that overflows to infinity, and recurses 1000 deep; so encoding,
 * escapes, number syntax and range, depth and string length are checked here, each
 * failure naming line, column and JSON pointer. The structure (commas, colons,
 * literals) is left to cJSON. */
static vp_status prescan(const char *label, const char *data, size_t len, int *unbalanced, vp_error *err)
{
    scan_state s = {.label = label, .p = (const unsigned char *)data, .len = len};
    const unsigned char *p = s.p;
    size_t str_start = 0;
    int in_string = 0;

    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        scan_frame *f = &s.frames[s.depth];
        if (in_string) { /* the common case: skip ordinary string bytes quickly */
            while (i < len && !string_stop[p[i]])
                i++;
            if (i == len)
                break;
            c = p[i];
        }
        if (c == 0 || (in_string && c < 0x20))
            return scan_fail(&s, i, err, "%s byte 0x%02x; expected JSON text", in_string ? "unescaped control" : "NUL",
                             c);
        if (c >= 0x80) {
            size_t n = utf8_sequence(p + i, len - i);
            if (!n)
                return scan_fail(&s, i, err, "invalid UTF-8 byte 0x%02x; expected UTF-8 encoded JSON", c);
            i += n;
            continue;
        }
        if (in_string) {
            if (c == '\\') {
                size_t n = scan_escape(&s, i, err);
                if (n == SIZE_MAX)
                    return VP_ERR_INPUT;
                if (n == 0)
                    break; /* the text ends inside the escape: an unterminated string */
                i += n;
                continue;
            }
            in_string = 0; /* c is the closing quote */
            if (s.in_key) {
                f->key_len = i - f->key_off;
                s.in_key = 0;
            }
            if (i - str_start > VP_JSON_MAX_STRING)
                return scan_fail(&s, str_start, err, "string of %zu bytes; expected at most %u bytes",
                                 i - str_start - 1, VP_JSON_MAX_STRING);
            i++;
            continue;
        }
        switch (c) {
        case '"':
            in_string = 1;
            str_start = i;
            if (s.depth && f->object && f->want_key) {
                f->want_key = 0;
                f->has_key = 1;
                f->key_off = i + 1;
                s.in_key = 1;
            }
            break;
        case '{':
        case '[':
            if (s.depth == VP_JSON_MAX_DEPTH)
                return scan_fail(&s, i, err, "nesting deeper than %d levels; expected at most %d",
                                 VP_JSON_MAX_DEPTH, VP_JSON_MAX_DEPTH);
            f = &s.frames[++s.depth];
            memset(f, 0, sizeof *f);
            f->object = f->want_key = c == '{';
            break;
        case '}':
        case ']':
            if (s.depth)
                s.depth--;
            break;
        case ',':
            if (s.depth && f->object) {
                f->want_key = 1;
                f->has_key = 0;
            } else if (s.depth) {
                f->index++;
            }
            break;
        case '.':
        case '+':
            return scan_fail(&s, i, err, "'%c' outside a string; expected a number to start with '-' or a digit", c);
        default:
            if (c == '-' || is_digit(c)) {
                size_t n = scan_number(&s, i, err);
                if (!n)
                    return VP_ERR_INPUT;
                i += n;
                continue;
            }
        }
        i++;
    }
    if (in_string && len - str_start > VP_JSON_MAX_STRING)
        return scan_fail(&s, str_start, err, "unterminated string of more than %u bytes", VP_JSON_MAX_STRING);
    *unbalanced = in_string || s.depth > 0;
    return VP_OK;
}

static int cmp_names(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string);
}

static unsigned key_hash(const char *k)
{
    unsigned h = 2166136261u;
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 16777619u;
    return h;
}

/* The first duplicated key among an object's members, or NULL. A 256-bit filter of
 * key hashes means strings are compared only when two keys share a filter bit. */
static const cJSON *duplicate_member(const cJSON *obj, int *nomem)
{
    unsigned long long seen[4] = {0, 0, 0, 0};
    int suspect = 0, n = 0;
    for (const cJSON *c = obj->child; c; c = c->next, n++) {
        unsigned h = key_hash(c->string) & 255;
        if (seen[h >> 6] & (1ULL << (h & 63)))
            suspect = 1;
        seen[h >> 6] |= 1ULL << (h & 63);
    }
    if (!suspect)
        return NULL;
    const cJSON **all = malloc((size_t)n * sizeof *all), *dup = NULL;
    if (!all) {
        *nomem = 1;
        return NULL;
    }
    int i = 0;
    for (const cJSON *c = obj->child; c; c = c->next)
        all[i++] = c;
    qsort(all, (size_t)n, sizeof *all, cmp_names);
    for (i = 1; i < n && !dup; i++)
        if (strcmp(all[i - 1]->string, all[i]->string) == 0)
            dup = all[i];
    free(all);
    return dup;
}

/* Finds a duplicate key anywhere below node. On success returns 1 and writes the
 * pointer of the duplicate (relative to node) into ptr; the pointer is only built
 * when something is found, so the common case costs no formatting. */
static int find_duplicate(const cJSON *node, char *ptr, size_t size, int *nomem)
{
    char inner[512];
    int i = 0;
    if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
        return 0;
    if (cJSON_IsObject(node)) {
        const cJSON *dup = duplicate_member(node, nomem);
        if (dup || *nomem) {
            if (dup)
                vp_json_pointer_join(ptr, size, "", dup->string);
            return 1;
        }
    }
    for (const cJSON *c = node->child; c; c = c->next, i++) {
        if (!find_duplicate(c, inner, sizeof inner, nomem))
            continue;
        char seg[512];
        if (cJSON_IsObject(node))
            vp_json_pointer_join(seg, sizeof seg, "", c->string);
        else
            vp_json_pointer_index(seg, sizeof seg, "", i);
        snprintf(ptr, size, "%s%s", seg, inner);
        return 1;
    }
    return 0;
}

static vp_status check_duplicates(const char *label, const cJSON *root, vp_error *err)
{
    char ptr[1024];
    int nomem = 0;
    if (!find_duplicate(root, ptr, sizeof ptr, &nomem))
        return VP_OK;
    if (nomem)
        return vp_error_set(err, VP_ERR_NOMEM, "%s: out of memory checking keys", label);
    return vp_error_set(err, VP_ERR_INPUT, "%s: %s: duplicate object key; expected each key once", label, ptr);
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* ---- pooled trees ----
 * cJSON takes its allocator process-wide (cJSON_InitHooks), so vaultproof installs one
 * pair of hooks, once, that allocate from the pool the calling thread is parsing into
 * and fall back to malloc/free otherwise. The thread-local pointer below is the only
 * state, set just for the duration of one vp_json_parse_pooled() call. */

struct vp_json_pool {
    vp_arena arena;
};

static _Thread_local vp_json_pool *parsing_into;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void *hook_malloc(size_t size)
{
    return parsing_into ? vpc_arena_alloc(&parsing_into->arena, size) : malloc(size);
}

static void hook_free(void *p)
{
    if (!parsing_into) /* pool memory is released with the pool, never piecewise */
        free(p);
}

static void install_hooks(void)
{
    cJSON_Hooks hooks = {hook_malloc, hook_free};
    cJSON_InitHooks(&hooks);
}

vp_json_pool *vp_json_pool_new(void)
{
    pthread_once(&hooks_once, install_hooks);
    return calloc(1, sizeof(vp_json_pool));
}

void vp_json_pool_reset(vp_json_pool *pool)
{
    vpc_arena_reset(&pool->arena);
}

void vp_json_pool_free(vp_json_pool *pool)
{
    if (!pool)
        return;
    vpc_arena_free(&pool->arena);
    free(pool);
}

static vp_status parse(const char *label, const char *data, size_t len, vp_json_pool *pool, cJSON **out,
                       vp_error *err);

vp_status vp_json_parse(const char *label, const char *data, size_t len, cJSON **out, vp_error *err)
{
    pthread_once(&hooks_once, install_hooks);
    return parse(label, data, len, NULL, out, err);
}

vp_status vp_json_parse_pooled(const char *label, const char *data, size_t len, vp_json_pool *pool, cJSON **out,
                               vp_error *err)
{
    return parse(label, data, len, pool, out, err);
}

static vp_status parse(const char *label, const char *data, size_t len, vp_json_pool *pool, cJSON **out,
                       vp_error *err)
{
    size_t skip = 0, i, line, col;
    int unbalanced = 0;
    const char *end = NULL;
    vp_status st;

    *out = NULL;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        skip = 3; /* a UTF-8 byte order mark, as PowerShell writes */
    for (i = skip; i < len && is_ws(data[i]); i++)
        ;
    if (i == len)
        return vp_error_set(err, VP_ERR_INPUT, "%s: empty file; expected a JSON object or array", label);
    if ((st = prescan(label, data, len, &unbalanced, err)))
        return st;

    parsing_into = pool;
    cJSON *root = cJSON_ParseWithLengthOpts(data + skip, len - skip, &end, 0);
    parsing_into = NULL;
    if (!root) {
        size_t off = end ? (size_t)(end - data) : skip;
        if (off > len)
            off = len;
        if (unbalanced) /* an open string, array or object at the end: the file was cut short */
            off = len;
        line_col(data, off, &line, &col);
        return vp_error_set(err, VP_ERR_INPUT, "%s:%zu:%zu: %s; expected valid JSON", label, line, col,
                            unbalanced ? "unexpected end of data (truncated?)" : "malformed JSON");
    }
    for (i = (size_t)(end - data); i < len && is_ws(data[i]); i++)
        ;
    if (i < len) {
        line_col(data, i, &line, &col);
        if (!pool)
            cJSON_Delete(root);
        return vp_error_set(err, VP_ERR_INPUT, "%s:%zu:%zu: unexpected data after the JSON value", label,
                            line, col);
    }
    if ((st = check_duplicates(label, root, err))) {
        if (!pool)
            cJSON_Delete(root);
        return st;
    }
    *out = root;
    return VP_OK;
}

vp_status vp_json_parse_file(const char *path, cJSON **out, vp_error *err)
{
    char *data;
    size_t len;
    vp_status st = vp_read_file(path, &data, &len, err);
    if (st)
        return st;
    st = vp_json_parse(path, data, len, out, err);
    free(data);
    return st;
}

char *vp_json_pointer_join(char *buf, size_t size, const char *base, const char *key)
{
    size_t n = 0;
    if (base != buf)
        n = (size_t)snprintf(buf, size, "%s", base ? base : "");
    else
        n = strlen(buf);
    if (n + 1 < size)
        buf[n++] = '/';
    for (const char *k = key; *k && n + 2 < size; k++) {
        if (*k == '~' || *k == '/') {
            buf[n++] = '~';
            buf[n++] = *k == '~' ? '0' : '1';
        } else {
            buf[n++] = *k;
        }
    }
    buf[n < size ? n : size - 1] = '\0';
    return buf;
}

char *vp_json_pointer_index(char *buf, size_t size, const char *base, int index)
{
    char tmp[16], *p = tmp + sizeof tmp;
    unsigned u = index < 0 ? 0u : (unsigned)index;
    *--p = '\0';
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    return vp_json_pointer_join(buf, size, base, p);
}

const char *vp_json_type_name(const cJSON *item)
{
    if (!item)
        return "nothing";
    if (cJSON_IsString(item))
        return "a string";
    if (cJSON_IsNumber(item))
        return "a number";
    if (cJSON_IsBool(item))
        return "a boolean";
    if (cJSON_IsNull(item))
        return "null";
    if (cJSON_IsArray(item))
        return "an array";
    if (cJSON_IsObject(item))
        return "an object";
    return "an invalid value";
}

vp_status vp_jr_fail(vp_jreader *r, const char *pointer, const char *expected, const cJSON *found)
{
    if (r->status == VP_OK)
        r->status = vp_error_set(r->err, VP_ERR_INPUT, "%s: %s: expected %s, found %s", r->file,
                                 pointer[0] ? pointer : "(document root)", expected, vp_json_type_name(found));
    return VP_ERR_INPUT;
}

/* Finds key among obj's members. Normalizers read members in the order ARM writes
 * them, so the search starts after the member found last in the same object and
 * wraps around: usually one comparison instead of a scan of every member. */
static const cJSON *find_member(vp_jreader *r, const cJSON *obj, const char *key)
{
    const cJSON *start = r->last_object == obj && r->last_member && r->last_member->next ? r->last_member->next
                                                                                       : obj->child;
    for (int pass = 0; pass < 2; pass++) {
        const cJSON *stop = pass ? start : NULL;
        for (const cJSON *c = pass ? obj->child : start; c && c != stop; c = c->next) {
            if (c->string && strcmp(c->string, key) == 0) {
                r->last_object = obj;
                r->last_member = c;
                return c;
            }
        }
        if (start == obj->child)
            break;
    }
    return NULL;
}

/* Shared lookup: the member, or NULL for absent/null/after an earlier error. */
static const cJSON *member(vp_jreader *r, const cJSON *obj, const char *key, vp_presence *pres)
{
    *pres = VP_ABSENT;
    if (r->status != VP_OK || !obj)
        return NULL;
    const cJSON *m = find_member(r, obj, key);
    if (!m)
        return NULL;
    if (cJSON_IsNull(m)) {
        *pres = VP_NULL;
        return NULL;
    }
    *pres = VP_PRESENT;
    return m;
}

static vp_presence type_error(vp_jreader *r, const char *base, const char *key, const char *expected,
                              const cJSON *found)
{
    char ptr[512];
    vp_json_pointer_join(ptr, sizeof ptr, base, key);
    vp_jr_fail(r, ptr, expected, found);
    return VP_ABSENT;
}

vp_presence vp_jr_string(vp_jreader *r, const cJSON *obj, const char *base, const char *key, const char **out)
{
    vp_presence p;
    const cJSON *m = member(r, obj, key, &p);
    if (!m)
        return p;
    if (!cJSON_IsString(m))
        return type_error(r, base, key, "a string", m);
    *out = m->valuestring;
    return p;
}

vp_presence vp_jr_int(vp_jreader *r, const cJSON *obj, const char *base, const char *key, long long min,
                      long long max, long long *out)
{
    vp_presence p;
    const cJSON *m = member(r, obj, key, &p);
    if (!m)
        return p;
    if (!cJSON_IsNumber(m))
        return type_error(r, base, key, "an integer", m);
    double d = m->valuedouble;
    if (!isfinite(d) || d != floor(d) || d < (double)min || d > (double)max) {
        char ptr[512], expected[128];
        vp_json_pointer_join(ptr, sizeof ptr, base, key);
        snprintf(expected, sizeof expected, "an integer from %lld to %lld", min, max);
        if (r->status == VP_OK)
            r->status = vp_error_set(r->err, VP_ERR_INPUT, "%s: %s: expected %s, found %g", r->file, ptr,
                                     expected, d);
        return VP_ABSENT;
    }
    *out = (long long)d;
    return p;
}

vp_presence vp_jr_bool(vp_jreader *r, const cJSON *obj, const char *base, const char *key, int *out)
{
    vp_presence p;
    const cJSON *m = member(r, obj, key, &p);
    if (!m)
        return p;
    if (!cJSON_IsBool(m))
        return type_error(r, base, key, "a boolean", m);
    *out = cJSON_IsTrue(m);
    return p;
}

vp_presence vp_jr_object(vp_jreader *r, const cJSON *obj, const char *base, const char *key, const cJSON **out)
{
    vp_presence p;
    const cJSON *m = member(r, obj, key, &p);
    if (!m)
        return p;
    if (!cJSON_IsObject(m))
        return type_error(r, base, key, "an object", m);
    *out = m;
    return p;
}

vp_presence vp_jr_array(vp_jreader *r, const cJSON *obj, const char *base, const char *key, const cJSON **out)
{
    vp_presence p;
    const cJSON *m = member(r, obj, key, &p);
    if (!m)
        return p;
    if (!cJSON_IsArray(m))
        return type_error(r, base, key, "an array", m);
    *out = m;
    return p;
}

/* The error for a required member that is absent or null: names what was there. */
static void missing(vp_jreader *r, const cJSON *obj, const char *base, const char *key, const char *expected)
{
    if (r->status == VP_OK)
        type_error(r, base, key, expected, obj ? find_member(r, obj, key) : NULL);
}

const char *vp_jr_req_string(vp_jreader *r, const cJSON *obj, const char *base, const char *key)
{
    const char *s = NULL;
    if (vp_jr_string(r, obj, base, key, &s) != VP_PRESENT) {
        missing(r, obj, base, key, "a string");
        return NULL;
    }
    return s;
}

const char *vp_jr_req_nonempty(vp_jreader *r, const cJSON *obj, const char *base, const char *key)
{
    const char *s = NULL;
    if (vp_jr_string(r, obj, base, key, &s) != VP_PRESENT || !*s) {
        missing(r, obj, base, key, "a non-empty string");
        return NULL;
    }
    return s;
}

int vp_jr_req_bool(vp_jreader *r, const cJSON *obj, const char *base, const char *key)
{
    int v = 0;
    if (vp_jr_bool(r, obj, base, key, &v) != VP_PRESENT)
        missing(r, obj, base, key, "a boolean");
    return v;
}

const cJSON *vp_jr_req_object(vp_jreader *r, const cJSON *obj, const char *base, const char *key)
{
    const cJSON *o = NULL;
    if (vp_jr_object(r, obj, base, key, &o) != VP_PRESENT) {
        missing(r, obj, base, key, "an object");
        return NULL;
    }
    return o;
}

const cJSON *vp_jr_req_array(vp_jreader *r, const cJSON *obj, const char *base, const char *key)
{
    const cJSON *a = NULL;
    if (vp_jr_array(r, obj, base, key, &a) != VP_PRESENT) {
        missing(r, obj, base, key, "an array");
        return NULL;
    }
    return a;
}

vp_status vp_jr_req_int(vp_jreader *r, const cJSON *obj, const char *base, const char *key, long long min,
                        long long max, long long *out)
{
    if (vp_jr_int(r, obj, base, key, min, max, out) != VP_PRESENT) {
        missing(r, obj, base, key, "an integer");
        return VP_ERR_INPUT;
    }
    return VP_OK;
}
