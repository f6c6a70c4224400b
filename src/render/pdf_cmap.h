/* Valid ToUnicode CMaps for the report's fonts (pdf_cmap.c), internal to src/render/pdf*.c.
 *
 * libharu 2.3 gives every UTF-8 (Type0, Identity-H) font a /ToUnicode stream written by the
 * code that writes an Encoding CMap: its mappings are `begincidrange` (code -> CID) where a
 * ToUnicode CMap must use `beginbfrange`/`beginbfchar` (code -> UTF-16), plus a notdef range
 * in 1-byte codes outside its own 2-byte codespace, /CMapName /UTF-8 and Ordering
 * (Identity-H). poppler rejects every such operator ("Invalid 'begincidrange' operator in
 * ToUnicode CMap"). These functions replace that stream's contents before the document is
 * saved, keeping libharu's mapping exactly. */
#ifndef VP_RENDER_PDF_CMAP_H
#define VP_RENDER_PDF_CMAP_H

#include <hpdf.h>
#include <stddef.h>

#include "core/buf.h"
#include "vaultproof/error.h"

/* The most entries one begin...end block may hold (Adobe technical note 5099, 3.4.1). */
#define VPR_CMAP_BLOCK_MAX 100

/* Translates the CMap text src[0..len) as libharu writes it into a ToUnicode CMap appended
 * to out. Each `lo hi cid` of a cidrange (and `code cid` of a cidchar) maps code lo+k to
 * the UTF-16 unit cid+k: for libharu's UTF-8 encoder the CID of a code is its Unicode
 * scalar value (it builds the CIDToGIDMap from Unicode). Ranges are split wherever the
 * last byte of the code or of the destination would pass FF (a bfrange may only vary its
 * last byte); destinations in D800-DFFF (lone surrogates, not characters) are left
 * unmapped, as are notdef ranges (a ToUnicode CMap has no notdef). drawn, when not NULL,
 * says which codes draw a glyph (drawn[code] nonzero, code < drawn_len); the others are
 * left unmapped too. The codespace is kept.
 * *entries gets the number of bfrange and bfchar entries written; 0 (and out untouched)
 * when src holds no cid mappings, e.g. a CMap that is already a ToUnicode one.
 * Linear in len. Errors: VP_ERR_INTERNAL naming label, the byte offset and what was
 * expected (unparsable or out-of-range input, a codespace of mixed code widths);
 * VP_ERR_NOMEM. */
vp_status vpr_cmap_to_unicode(const char *src, size_t len, const unsigned char *drawn, size_t drawn_len, vpc_buf *out,
                              size_t *entries, const char *label, vp_error *err);

/* Replaces the contents of font's /ToUnicode stream with vpr_cmap_to_unicode's translation
 * (drawn: the codes its /CIDToGIDMap gives a glyph, all codes when it has none) and its
 * dictionary's /CMapName and CIDSystemInfo Ordering with the ToUnicode ones
 * (Adobe-Identity-UCS, UCS); a font without /ToUnicode or whose CMap has no cid mappings
 * is left alone. Call before HPDF_SaveToStream. libharu errors are also reported to the
 * document's error handler. Errors: as vpr_cmap_to_unicode; VP_ERR_INTERNAL when libharu
 * cannot read or replace the stream. */
vp_status vpr_pdf_cmap_fix(HPDF_Font font, const char *label, vp_error *err);

#endif
