/*
 * vaultproof/jsonw.h - streaming, deterministic JSON writer.
 *
 * Output is canonical for our purposes: keys in the order the caller writes them,
 * integers only (no floating point), strings escaped the same way every time, UTF-8
 * passed through. Containers are "pretty" (one member per line, two-space indent) or
 * "compact" (one line); a compact container makes everything inside it compact, which
 * gives one line per resource in large arrays.
 */
#ifndef VAULTPROOF_JSONW_H
#define VAULTPROOF_JSONW_H

#include <stdio.h>

#include "vaultproof/error.h"

#define VP_JSONW_MAX_DEPTH 64

typedef enum { VP_JW_PRETTY = 0, VP_JW_COMPACT = 1 } vp_jw_style;

#define VP_JSONW_BUFFER (64 * 1024)

typedef struct {
    FILE *fp;
    size_t len;                      /* bytes waiting in buf */
    char buf[VP_JSONW_BUFFER];       /* own buffer: output is large and made of tiny pieces */
    int depth;
    int count[VP_JSONW_MAX_DEPTH];   /* members written at each level */
    int compact[VP_JSONW_MAX_DEPTH]; /* style of each open container */
    char close[VP_JSONW_MAX_DEPTH];  /* its closing bracket */
    int after_key;
    int overflow;                    /* nesting exceeded: an internal error */
} vp_jsonw;

/* Starts writing to fp (not owned). */
void vp_jw_init(vp_jsonw *w, FILE *fp);

void vp_jw_object(vp_jsonw *w, vp_jw_style style);
void vp_jw_array(vp_jsonw *w, vp_jw_style style);
void vp_jw_end(vp_jsonw *w); /* closes the innermost object or array */
void vp_jw_key(vp_jsonw *w, const char *key);
void vp_jw_string(vp_jsonw *w, const char *s); /* NULL writes null */
void vp_jw_int(vp_jsonw *w, long long v);
void vp_jw_bool(vp_jsonw *w, int v);
void vp_jw_null(vp_jsonw *w);

/* key + value shorthands */
void vp_jw_kstring(vp_jsonw *w, const char *key, const char *s);
void vp_jw_kint(vp_jsonw *w, const char *key, long long v);
void vp_jw_kbool(vp_jsonw *w, const char *key, int v);

/* Ends the document (a final newline) and reports stream errors as VP_ERR_IO. */
vp_status vp_jw_finish(vp_jsonw *w, const char *label, vp_error *err);

/* Writes the key "tool" and the object {"name":"vaultproof","version":...,"commit":...}
 * that heads every document vaultproof emits (snapshot, findings, manifest). version and
 * commit are passed in (vp_version() and vp_commit() of vaultproof/version.h for a new
 * document) because a snapshot or manifest records the build that produced it, which a
 * re-render must carry through unchanged. */
void vp_jw_tool(vp_jsonw *w, vp_jw_style style, const char *version, const char *commit);

#endif
