/* Shared by pdfscan.c, pdfsign.c and pdfverify.c: a small PDF syntax scanner, enough
 * for the dictionaries, arrays and classic xref tables libharu writes (not a parser
 * of arbitrary PDFs: streams are never decoded, only objects found by offset). */
#ifndef VP_SIGN_PDFSCAN_INTERNAL_H
#define VP_SIGN_PDFSCAN_INTERNAL_H

#include <stddef.h>

#include "vaultproof/error.h"

/* Bytes [b, e). */
typedef struct {
    const unsigned char *b, *e;
} vpdf_span;

/* Past whitespace and comments; never beyond e. */
const unsigned char *vps_pdf_skip_ws(const unsigned char *p, const unsigned char *e);

/* Past one direct object starting at p (dictionary, array, string, name, number,
 * keyword); NULL when malformed or nested deeper than 64. */
const unsigned char *vps_pdf_skip_token(const unsigned char *p, const unsigned char *e);

/* Like vps_pdf_skip_token, but "N G R" counts as one value. */
const unsigned char *vps_pdf_skip_value(const unsigned char *p, const unsigned char *e);

/* The value of key (with its slash, "/Root") at the top level of a dictionary body
 * (the bytes between << and >>). 1 found, 0 absent or the body is malformed. */
int vps_pdf_dict_get(vpdf_span body, const char *key, vpdf_span *val);

/* The bytes between the outer delimiters of a "<<...>>" dictionary or "[...]" array
 * span; 0 when v is neither. */
int vps_pdf_inner(vpdf_span v, const char *open, vpdf_span *inner);

/* "N G R" -> num, gen (1), or 0. */
int vps_pdf_ref(vpdf_span v, long *num, long *gen);
/* A non-negative integer without sign -> *out (1), or 0. */
int vps_pdf_uint(vpdf_span v, long long *out);
/* v is exactly the name (with slash). */
int vps_pdf_is_name(vpdf_span v, const char *name);
/* Last occurrence of needle in [b, e), or NULL. */
const unsigned char *vps_pdf_rfind(const unsigned char *b, const unsigned char *e, const char *needle);

/* The objects of every classic xref section, newest wins, and the newest trailer. */
typedef struct {
    size_t *off;           /* byte offset of object i (valid when state[i] == 1) */
    long *gen;
    unsigned char *state;  /* 0 not listed, 1 in use, 2 free */
    size_t count;          /* entries allocated (max object number + 1 seen) */
    size_t startxref;      /* offset of the newest xref section */
    vpdf_span trailer;     /* the newest trailer dictionary's body */
} vpdf_xref;

/* Reads startxref and the xref sections it chains to (/Prev). VP_ERR_INPUT, naming the
 * offset, for anything but classic tables: xref streams, hybrid /XRefStm files,
 * /Encrypt, a broken chain; VP_ERR_NOMEM. Free with vps_pdf_xref_free. */
vp_status vps_pdf_read_xref(const unsigned char *pdf, size_t len, vpdf_xref *x, vp_error *err);
void vps_pdf_xref_free(vpdf_xref *x);

/* The dictionary of object num ("num gen obj << ... >>"): *dict spans "<<...>>".
 * VP_ERR_INPUT when it is not listed, not at its offset, or not a dictionary. */
vp_status vps_pdf_object_dict(const unsigned char *pdf, size_t len, const vpdf_xref *x, long num, vpdf_span *dict,
                           vp_error *err);

#endif
