/* The report's prose is data, not C: templates/report/report.json (the PDF) and
 * templates/report/workbook.json (the workbook), compiled in by CMake. Both renderers
 * read them through this one loader and address a text the same way: by JSON pointer of
 * object keys and array indexes ("/sections/scope/title", "/glossary/3/term"; no "~"
 * escapes). Keeping the wording out of the layout code lets it be reviewed and changed
 * alone. Internal to render. */
#ifndef VP_RENDER_TEXTS_H
#define VP_RENDER_TEXTS_H

#include <stddef.h>

#include "core/buf.h"
#include "vaultproof/error.h"
#include "vaultproof/json.h"

typedef struct vpr_texts vpr_texts;

typedef enum {
    VPR_TEXTS_REPORT,   /* templates/report/report.json, format vaultproof-report-texts/1 */
    VPR_TEXTS_WORKBOOK  /* templates/report/workbook.json, format vaultproof-workbook-texts/1 */
} vpr_texts_kind;

/* Parses the compiled-in texts of that kind into *out (free with vpr_texts_free). The
 * texts are part of the build, so a bad file is VP_ERR_INTERNAL, not the user's input. */
vp_status vpr_texts_load(vpr_texts_kind kind, vpr_texts **out, vp_error *err);
void vpr_texts_free(vpr_texts *t); /* NULL is allowed */

/* The file the texts came from, for messages ("templates/report/report.json"). */
const char *vpr_texts_label(const vpr_texts *t);
/* The node at pointer, or NULL. */
const cJSON *vpr_texts_node(const vpr_texts *t, const char *pointer);
/* The string at pointer, or NULL when there is none (a bug of the template: callers
 * report it, never print an empty text silently). */
const char *vpr_texts_string(const vpr_texts *t, const char *pointer);
/* Line i of a text that is a string (one line) or an array of strings; NULL past the end. */
const char *vpr_texts_line(const vpr_texts *t, const char *pointer, size_t i);

/* Writes text into b (emptied first) with each "{name}" replaced by its value from vars
 * (name, value, name, value, ..., NULL); an unknown "{name}" stays as written. Returns
 * the result, valid until b changes; "" when out of memory (b->nomem is set). */
const char *vpr_texts_fill(vpc_buf *b, const char *text, const char *const *vars);

#endif
