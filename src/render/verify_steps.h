/* The how-to-verify steps: templates/report/report.json "/verification", the one list
 * the PDF appendix, the workbook's README sheet and the bundle's README.txt
 * (vp_render_verify_text) all print. Internal to render. */
#ifndef VP_RENDER_VERIFY_STEPS_H
#define VP_RENDER_VERIFY_STEPS_H

#include "render/texts.h"

/* What the steps name: the bundle (its .tar.gz's name without ".tar.gz", also its top
 * folder; NULL: "BUNDLE", and the texts say they are a template), the CA's SHA-256
 * fingerprint ("AB:CD:..."; NULL: no expected line for it), and whether the bundle is
 * time-stamped (steps marked "when": "timestamped" only then). */
typedef struct {
    const char *bundle_name, *ca_fingerprint;
    int timestamped;
} vpr_verify_names;

/* Where the steps go. Every string is valid only during the call (copy to keep). */
typedef struct {
    void (*para)(void *ctx, const char *text, int emphasis); /* intro; the template note (emphasis 1) */
    void (*step)(void *ctx, const char *title, const char *text); /* "3. Title", its explanation */
    void (*line)(void *ctx, const char *line);   /* a "$ " command or a "  -> " expected line */
    void *ctx;
} vpr_verify_sink;

/* Calls the sink for the intro, then every step that applies, numbered in order, with
 * "{bundle}" and "{fingerprint_expect}" filled in; an empty line (the fingerprint's
 * when it is not known) is skipped. VP_ERR_INTERNAL when the template lacks a text;
 * VP_ERR_NOMEM. */
vp_status vpr_verify_steps(const vpr_texts *report_texts, const vpr_verify_names *names, const vpr_verify_sink *sink,
                           vp_error *err);

#endif
