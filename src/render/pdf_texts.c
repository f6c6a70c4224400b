/* The report's prose lives in templates/report/report.json (compiled in), not in C:
 * section titles and introductions, explanations, the glossary and the verification
 * how-to. Texts are looked up by JSON pointer; "{name}" placeholders are filled from
 * name/value pairs. A missing text is a bug in the template, reported once as an
 * internal error naming the pointer, never a silently empty section. */
#include <stdlib.h>
#include <string.h>

#include "render/pdf_internal.h"

extern const char vp_report_texts_json[];
extern const unsigned long vp_report_texts_json_len;

#define TEXTS_LABEL "templates/report/report.json"
#define TEXTS_FORMAT "vaultproof-report-texts/1"

vp_status pdf_texts_load(pdf_ctx *c)
{
    vp_status st = vp_json_parse(TEXTS_LABEL, vp_report_texts_json, vp_report_texts_json_len, &c->texts, c->err);
    if (st != VP_OK) {
        c->status = st;
        return st;
    }
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(c->texts, "format");
    if (!cJSON_IsString(format) || strcmp(format->valuestring, TEXTS_FORMAT))
        return pdf_fail(c, VP_ERR_INTERNAL, "%s: /format is not \"%s\"", TEXTS_LABEL, TEXTS_FORMAT);
    return VP_OK;
}

void pdf_texts_free(pdf_ctx *c)
{
    cJSON_Delete(c->texts);
    c->texts = NULL;
}

/* Walks a pointer of object keys and array indexes ("/glossary/3/term"); no escapes. */
const cJSON *pdf_t_node(pdf_ctx *c, const char *pointer)
{
    const cJSON *node = c->texts;
    const char *p = pointer;
    char key[128];
    while (node && *p == '/') {
        size_t n = strcspn(p + 1, "/");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, p + 1, n);
        key[n] = 0;
        if (cJSON_IsArray(node)) {
            char *end;
            long i = strtol(key, &end, 10);
            node = *end || i < 0 ? NULL : cJSON_GetArrayItem(node, (int)i);
        } else
            node = cJSON_GetObjectItemCaseSensitive(node, key);
        p += n + 1;
    }
    return *p ? NULL : node;
}

const char *pdf_t(pdf_ctx *c, const char *pointer)
{
    const cJSON *node = pdf_t_node(c, pointer);
    if (cJSON_IsString(node))
        return node->valuestring;
    if (!c->status)
        pdf_fail(c, VP_ERR_INTERNAL, "%s: no text at %s", TEXTS_LABEL, pointer);
    return "";
}

/* Fills "{name}" from vars (name, value, ..., NULL) into c->fmt; valid until the next
 * call. An unknown name is left as written. */
const char *pdf_expand(pdf_ctx *c, const char *text, const char *const *vars)
{
    c->fmt.len = 0;
    for (const char *p = text; *p;) {
        const char *open = strchr(p, '{'), *close = open ? strchr(open, '}') : NULL;
        const char *value = NULL;
        if (!close) {
            pdf_buf_add(c, &c->fmt, p, strlen(p));
            break;
        }
        for (size_t i = 0; vars && vars[i] && vars[i + 1] && !value; i += 2)
            if (strlen(vars[i]) == (size_t)(close - open - 1) && !strncmp(vars[i], open + 1, (size_t)(close - open - 1)))
                value = vars[i + 1];
        pdf_buf_add(c, &c->fmt, p, (size_t)(open - p));
        if (value)
            pdf_buf_add(c, &c->fmt, value, strlen(value));
        else
            pdf_buf_add(c, &c->fmt, open, (size_t)(close - open + 1));
        p = close + 1;
    }
    if (pdf_buf_reserve(c, &c->fmt, 1))
        return "";
    c->fmt.s[c->fmt.len] = 0;
    return c->fmt.s;
}

const char *pdf_tf(pdf_ctx *c, const char *pointer, const char *const *vars)
{
    return pdf_expand(c, pdf_t(c, pointer), vars);
}
