/* Page contents held deflated while the report is laid out (pdf_hold.c), internal to
 * src/render/pdf*.c.
 *
 * libharu keeps every page's content stream as plain operators in memory until the
 * document is saved (about 17 KB a page for the Exceptions list: 0.9 GB of a 1M-item
 * report). A page left behind by the layout is deflated here (zlib level 1 with a preset
 * dictionary taken from an earlier page, a KB or two) and
 * its plain bytes freed; when libharu writes that page at save time, a hook on its content
 * stream inflates them back just before libharu compresses them with its own deflate, and
 * frees them again just after. Since 2026-12-05 that deflate is done here too, as libharu
 * does it and ahead of it on a second thread (vpr_pdf_hold_save_begin), and libharu copies
 * the result: at 100k items it took 2-3 s of the report's last seconds, when the workbook
 * was done and a core idle. libharu therefore writes exactly the bytes it would have
 * written without this module: the report is byte-identical, and at most one page's plain
 * contents are in memory at a time (one per thread). Only libharu's exported object API is used
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

/* Before HPDF_SaveToStream: parks what each page still has plain and, on a machine with
 * a second core, starts a thread that makes each page's stream ahead of libharu (what is
 * held inflated and deflated again as libharu deflates it, zlib's default level), in the
 * order the pages were attached, at most 64 pages ahead of the save. libharu's save then
 * copies those bytes (the page's dictionary says FlateDecode where libharu says it)
 * instead of deflating; a page the thread has not reached is made on libharu's thread.
 * Without this call the save makes every page itself: the bytes are the same either way.
 * No page may be attached, drawn on or parked until vpr_pdf_hold_save_end. Errors: as
 * vpr_pdf_hold_park. */
vp_status vpr_pdf_hold_save_begin(vpr_pdf_hold *h, vp_error *err);

/* After the save, whatever its outcome, and before the document is freed: stops and
 * joins the thread. No-op when no save began; NULL is allowed. */
void vpr_pdf_hold_save_end(vpr_pdf_hold *h);

/* The first error met while libharu saved the document (restoring a page's contents):
 * VP_OK when none, else that status with err set to what failed. A page saved a second
 * time is such an error: its contents are released once written. */
vp_status vpr_pdf_hold_status(const vpr_pdf_hold *h, vp_error *err);

/* Bytes held deflated and plain bytes parked so far, and how many parks were deflated
 * against the preset dictionary (pdf_hold.c; for tests and measurements). */
void vpr_pdf_hold_totals(const vpr_pdf_hold *h, size_t *deflated, size_t *plain, size_t *primed);

/* Pages whose stream the save's second thread made (for tests and measurements). */
size_t vpr_pdf_hold_made_ahead(vpr_pdf_hold *h);

/* Frees h; NULL is allowed. */
void vpr_pdf_hold_free(vpr_pdf_hold *h);

#endif
