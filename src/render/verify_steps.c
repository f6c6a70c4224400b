/* The how-to-verify steps, one list for the PDF, the workbook and README.txt. */
#include <stdio.h>
#include <string.h>

#include "render/verify_steps.h"
#include "vaultproof/render.h"

static vp_status missing(const vpr_texts *t, const char *pointer, vp_error *err)
{
    return vp_error_set(err, VP_ERR_INTERNAL, "%s: no text at %s", vpr_texts_label(t), pointer);
}

vp_status vpr_verify_steps(const vpr_texts *t, const vpr_verify_names *n, const vpr_verify_sink *sink, vp_error *err)
{
    char expect[160]; /* "  -> sha256 Fingerprint=" and 95 characters */
    snprintf(expect, sizeof expect, "%s%s", n->bundle_name && n->ca_fingerprint ? "  -> sha256 Fingerprint=" : "",
             n->bundle_name && n->ca_fingerprint ? n->ca_fingerprint : "");
    const char *const vars[] = {"bundle", n->bundle_name ? n->bundle_name : "BUNDLE", "fingerprint_expect", expect,
                                NULL};
    const char *intro = vpr_texts_string(t, "/sections/appendix/verify/intro");
    const char *template = vpr_texts_string(t, "/sections/appendix/verify/template");
    const cJSON *steps = vpr_texts_node(t, "/verification");
    vpc_buf b = VPC_BUF_INIT, title = VPC_BUF_INIT;
    vp_status st = VP_OK;
    if (!intro || !template || !cJSON_IsArray(steps))
        return missing(t, !intro ? "/sections/appendix/verify/intro" : !template ? "/sections/appendix/verify/template"
                                                                                  : "/verification", err);
    sink->para(sink->ctx, vpr_texts_fill(&b, intro, vars), 0);
    if (!n->bundle_name)
        sink->para(sink->ctx, template, 1);
    int number = 0;
    for (const cJSON *s = steps->child; s && !st; s = s->next) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "title"));
        const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "text"));
        const char *when = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "when"));
        const cJSON *cmds = cJSON_GetObjectItemCaseSensitive(s, "commands");
        if (!name || !text || !cJSON_IsArray(cmds)) {
            st = missing(t, "/verification (title, text, commands)", err);
            break;
        }
        if (when && (strcmp(when, "timestamped") || !n->timestamped))
            continue; /* a step for time-stamped bundles only */
        vpc_buf_clear(&title);
        vpc_buf_printf(&title, "%d. %s", ++number, name);
        sink->step(sink->ctx, vpc_buf_str(&title), vpr_texts_fill(&b, text, vars));
        for (const cJSON *c = cmds->child; c; c = c->next) {
            const char *line = cJSON_IsString(c) ? vpr_texts_fill(&b, c->valuestring, vars) : "";
            if (*line)
                sink->line(sink->ctx, line);
        }
    }
    if (!st && (b.nomem || title.nomem))
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    vpc_buf_free(&b);
    vpc_buf_free(&title);
    return st;
}

/* ---- README.txt: the steps as plain text ---- */

typedef struct {
    FILE *fp;
} text_sink;

/* Words wrapped at 88 columns after an indent; a word longer than a line stays whole. */
static void wrapped(FILE *fp, const char *indent, const char *text)
{
    size_t col = 0, width = 88, in = strlen(indent);
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (!w)
            break;
        if (col && col + 1 + w > width) {
            fputc('\n', fp);
            col = 0;
        }
        if (!col) {
            fputs(indent, fp);
            col = in;
        } else {
            fputc(' ', fp);
            col++;
        }
        fwrite(p, 1, w, fp);
        col += w;
        p += w;
    }
    if (col)
        fputc('\n', fp);
}

static void text_para(void *ctx, const char *text, int emphasis)
{
    text_sink *s = ctx;
    (void)emphasis;
    wrapped(s->fp, "  ", text);
}

static void text_step(void *ctx, const char *title, const char *text)
{
    text_sink *s = ctx;
    fprintf(s->fp, "\n%s\n", title);
    wrapped(s->fp, "   ", text);
}

static void text_line(void *ctx, const char *line)
{
    text_sink *s = ctx;
    fprintf(s->fp, "%s\n", line); /* never wrapped: one line is one command */
}

vp_status vp_render_verify_text(FILE *fp, const char *bundle_name, const char *ca_fingerprint, int timestamped,
                                vp_error *err)
{
    vpr_texts *t = NULL;
    text_sink ts = {fp};
    const vpr_verify_sink sink = {text_para, text_step, text_line, &ts};
    const vpr_verify_names names = {bundle_name, ca_fingerprint, timestamped};
    vp_status st = vpr_texts_load(VPR_TEXTS_REPORT, &t, err);
    if (!st)
        st = vpr_verify_steps(t, &names, &sink, err);
    vpr_texts_free(t);
    return st;
}
