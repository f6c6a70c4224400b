/* Page contents held deflated while the report is laid out (pdf_hold.c), internal to
 * src/render/pdf*.c.
 *
 * libharu keeps every page's content stream as plain operators in memory until the
 * document is saved (about 17 KB a page for the Exceptions list: 0.9 GB of a 1M-item
 * report). A page left behind by the layout is deflated here (zlib level 1 with a preset
 * dictionary taken from an earlier page, a KB or two) and
 * its plain bytes freed; when libharu writes that page at save time, a hook on its content
 * stream inflates them back just before libharu compresses them with its own deflate, and
 * frees them again just after. libharu therefore writes exactly the bytes it would have
 * written without this module: the report is byte-identical, and at most one page's plain
 * contents are in memory at a time. Only libharu's exported object API is used
 * (HPDF_Dict.before_write_fn/after_write_fn/free_fn/attr in the installed hpdf_objects.h),
 * as in pdf_cmap.c. */
#ifndef VP_RENDER_PDF_HOLD_H
#define VP_RENDER_PDF_HOLD_H

#include <hpdf.h>

#include "vaultproof/error.h"

/* One document's holder: the deflate and inflate state reused for every page, and the
 * first error met while libharu was saving (libharu itself only carries a code). */
typedef struct vpr_pdf_hold vpr_pdf_hold;

/* Makes a holder; the caller owns *out (vpr_pdf_hold_free, after HPDF_Free of every
 * document it was attached to). Errors: VP_ERR_NOMEM, VP_ERR_INTERNAL (zlib refused to
 * start). */
vp_status vpr_pdf_hold_new(vpr_pdf_hold **out, vp_error *err);

/* Attaches page (just made, nothing drawn yet) to h: vpr_pdf_hold_park may then deflate
 * its contents, and libharu's save restores them. The page's record is freed with the
 * document (HPDF_Free). Errors: VP_ERR_NOMEM; VP_ERR_INTERNAL when the page's content
 * stream is not libharu's memory stream or is already hooked. */
vp_status vpr_pdf_hold_attach(vpr_pdf_hold *h, HPDF_Page page, vp_error *err);

/* Deflates what has been drawn on page since it was attached or last parked, appends it to
 * what the page already holds and frees the plain bytes. Drawing on the page may go on
 * afterwards: the save restores every part in order. Nothing drawn since: no work.
 * Errors: VP_ERR_NOMEM; VP_ERR_INTERNAL for a page that was not attached or a zlib error. */
vp_status vpr_pdf_hold_park(vpr_pdf_hold *h, HPDF_Page page, vp_error *err);

/* The first error met while libharu saved the document (restoring a page's contents):
 * VP_OK when none, else that status with err set to what failed. A page saved a second
 * time is such an error: its contents are released once written. */
vp_status vpr_pdf_hold_status(const vpr_pdf_hold *h, vp_error *err);

/* Bytes held deflated and plain bytes parked so far, and how many parks were deflated
 * against the preset dictionary (pdf_hold.c; for tests and measurements). */
void vpr_pdf_hold_totals(const vpr_pdf_hold *h, size_t *deflated, size_t *plain, size_t *primed);

/* Frees h; NULL is allowed. */
void vpr_pdf_hold_free(vpr_pdf_hold *h);

#endif
