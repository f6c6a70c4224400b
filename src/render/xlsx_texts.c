/* The workbook's prose (README paragraphs, what each sheet holds) is data:
 * templates/report/workbook.json, compiled into the binary. Keeping it out of the code
 * lets the wording be reviewed, and changed, without touching the layout. */
#include <stdlib.h>
#include <string.h>

#include "render/xlsx_internal.h"
#include "vaultproof/json.h"

#define TEXTS_FORMAT "vaultproof-workbook-texts/1"
#define TEXTS_LABEL "templates/report/workbook.json"

extern const char vp_workbook_texts_json[];
extern const unsigned long vp_workbook_texts_json_len;

struct xlsx_texts {
    cJSON *root;
};

vp_status xlsx_texts_load(xlsx_texts **out, vp_error *err)
{
    xlsx_texts *t = calloc(1, sizeof *t);
    vp_status st;
    *out = NULL;
    if (!t)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    st = vp_json_parse(TEXTS_LABEL, vp_workbook_texts_json, (size_t)vp_workbook_texts_json_len, &t->root, err);
    if (st) { /* compiled in: a bad file is a bug of this build, not the user's input */
        free(t);
        err->status = VP_ERR_INTERNAL;
        return VP_ERR_INTERNAL;
    }
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(t->root, "format");
    if (!cJSON_IsString(format) || strcmp(format->valuestring, TEXTS_FORMAT) != 0) {
        xlsx_texts_free(t);
        return vp_error_set(err, VP_ERR_INTERNAL, "%s: /format: expected \"%s\"", TEXTS_LABEL, TEXTS_FORMAT);
    }
    *out = t;
    return VP_OK;
}

void xlsx_texts_free(xlsx_texts *t)
{
    if (!t)
        return;
    cJSON_Delete(t->root);
    free(t);
}

/* Walks "a.b.c" through nested objects. */
static const cJSON *lookup(const xlsx_texts *t, const char *key)
{
    const cJSON *node = t ? t->root : NULL;
    char part[128];
    while (node && *key) {
        size_t n = strcspn(key, ".");
        if (n >= sizeof part)
            return NULL;
        memcpy(part, key, n);
        part[n] = '\0';
        node = cJSON_GetObjectItemCaseSensitive(node, part);
        key += n + (key[n] == '.');
    }
    return node;
}

const char *xlsx_text_get(const xlsx_texts *t, const char *key)
{
    const cJSON *node = lookup(t, key);
    return cJSON_IsString(node) ? node->valuestring : NULL;
}

const char *xlsx_t(xlsx_ctx *x, const char *key)
{
    const char *s = xlsx_text_get(x->texts, key);
    if (!s) /* a missing text is a bug of the template, never a silently empty cell */
        xlsx_fail(x, VP_ERR_INTERNAL, "%s: no text \"%s\"", TEXTS_LABEL, key);
    return s ? s : "";
}

int xlsx_t_exists(xlsx_ctx *x, const char *key)
{
    if (lookup(x->texts, key))
        return 1;
    xlsx_fail(x, VP_ERR_INTERNAL, "%s: no text \"%s\"", TEXTS_LABEL, key);
    return 0;
}

/* Copies a text, replacing "{name}" by its value; unknown placeholders stay as they are. */
const char *xlsx_t_fill(xlsx_ctx *x, const char *key, const char *const *names, const char *const *values, size_t n)
{
    const char *t = xlsx_t(x, key);
    xlsx_buf *b = &x->buf;
    char one[2] = {0, 0};
    xb_clear(b);
    while (*t) {
        size_t k = n;
        if (*t == '{')
            for (k = 0; k < n; k++)
                if (!strncmp(t + 1, names[k], strlen(names[k])) && t[1 + strlen(names[k])] == '}')
                    break;
        if (k < n) {
            xb_add(b, values[k]);
            t += strlen(names[k]) + 2;
            continue;
        }
        one[0] = *t++;
        xb_add(b, one);
    }
    return xb_str(b);
}

const char *xlsx_text_line(const xlsx_texts *t, const char *key, size_t i)
{
    const cJSON *node = lookup(t, key);
    if (cJSON_IsString(node))
        return i == 0 ? node->valuestring : NULL;
    if (!cJSON_IsArray(node) || i >= (size_t)cJSON_GetArraySize(node))
        return NULL;
    const cJSON *item = cJSON_GetArrayItem(node, (int)i);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}
