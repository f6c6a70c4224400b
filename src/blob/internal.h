/* Internal to the blob module. */
#ifndef VP_BLOB_INTERNAL_H
#define VP_BLOB_INTERNAL_H

#include <stddef.h>

#include "vaultproof/azclient.h"
#include "vaultproof/error.h"

/* MD5 of data as base64 (24 characters and a NUL), the form of Content-MD5. */
void vpb_md5_base64(const void *data, size_t len, char out[32]);

/* Now as an RFC 1123 date (x-ms-date). */
void vpb_http_date(char out[40]);

/* VP_ERR_COLLECT: "METHOD <url label>: HTTP <status> <code>: <message>[; hint]". */
vp_status vpb_refused(vp_error *err, const char *method, const char *url, const vp_az_response *r, const char *hint);

/* The text of the first <tag>...</tag> (or "<tag />": "") in [s, limit), entities
 * decoded, as a new string (free); NULL when there is none or out of memory. *after
 * (may be NULL) is set past the element. */
char *vpb_xml_text(const char *s, const char *limit, const char *tag, const char **after);

#endif
