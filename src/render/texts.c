#include <stdlib.h>
#include <string.h>

#include "render/texts.h"

extern const char vpr_report_texts_json[];
extern const unsigned long vpr_report_texts_json_len;
extern const char vpr_workbook_texts_json[];
extern const unsigned long vpr_workbook_texts_json_len;

struct vpr_texts {
    cJSON *root;
    const char *label;
};

vp_status vpr_texts_load(vpr_texts_kind kind, vpr_texts **out, vp_error *err)
{
    static const struct {
        const char *label, *format;
        const char *json;
        const unsigned long *len;
    } files[] = {
        [VPR_TEXTS_REPORT] = {"templates/report/report.json", "vaultproof-report-texts/1", vpr_report_texts_json,
                              &vpr_report_texts_json_len},
        [VPR_TEXTS_WORKBOOK] = {"templates/report/workbook.json", "vaultproof-workbook-texts/1",
                                vpr_workbook_texts_json, &vpr_workbook_texts_json_len},
    };
    vpr_texts *t = calloc(1, sizeof *t);
    *out = NULL;
    if (!t)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    t->label = files[kind].label;
    if (vp_json_parse(t->label, files[kind].json, (size_t)*files[kind].len, &t->root, err)) {
        free(t); /* compiled in: a bad file is a bug of this build, not the user's input */
        err->status = VP_ERR_INTERNAL;
        return VP_ERR_INTERNAL;
    }
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(t->root, "format");
    if (!cJSON_IsString(format) || strcmp(format->valuestring, files[kind].format) != 0) {
        vpr_texts_free(t);
        return vp_error_set(err, VP_ERR_INTERNAL, "%s: /format: expected \"%s\"", files[kind].label,
                            files[kind].format);
    }
    *out = t;
    return VP_OK;
}

void vpr_texts_free(vpr_texts *t)
{
    if (!t)
        return;
    cJSON_Delete(t->root);
    free(t);
}

const char *vpr_texts_label(const vpr_texts *t)
{
    return t ? t->label : "report texts";
}

const cJSON *vpr_texts_node(const vpr_texts *t, const char *pointer)
{
    const cJSON *node = t ? t->root : NULL;
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
        } else {
            node = cJSON_GetObjectItemCaseSensitive(node, key);
        }
        p += n + 1;
    }
    return *p ? NULL : node;
}

const char *vpr_texts_string(const vpr_texts *t, const char *pointer)
{
    const cJSON *node = vpr_texts_node(t, pointer);
    return cJSON_IsString(node) ? node->valuestring : NULL;
}

const char *vpr_texts_line(const vpr_texts *t, const char *pointer, size_t i)
{
    const cJSON *node = vpr_texts_node(t, pointer);
    if (cJSON_IsString(node))
        return i == 0 ? node->valuestring : NULL;
    if (!cJSON_IsArray(node) || i >= (size_t)cJSON_GetArraySize(node))
        return NULL;
    const cJSON *item = cJSON_GetArrayItem(node, (int)i);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

const char *vpr_texts_fill(vpc_buf *b, const char *text, const char *const *vars)
{
    vpc_buf_clear(b);
    for (const char *p = text; *p;) {
        const char *open = strchr(p, '{'), *close = open ? strchr(open, '}') : NULL;
        const char *value = NULL;
        if (!close) {
            vpc_buf_adds(b, p);
            break;
        }
        size_t n = (size_t)(close - open - 1);
        for (size_t i = 0; vars && vars[i] && vars[i + 1] && !value; i += 2)
            if (strlen(vars[i]) == n && !strncmp(vars[i], open + 1, n))
                value = vars[i + 1];
        vpc_buf_add(b, p, (size_t)(open - p));
        if (value)
            vpc_buf_adds(b, value);
        else
            vpc_buf_add(b, open, n + 2);
        p = close + 1;
    }
    return vpc_buf_str(b);
}
