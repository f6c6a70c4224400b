/*
 * vaultproof/fileio.h - reading inputs, publishing outputs atomically, hashing.
 *
 * Outputs are written to a temporary file beside the destination and renamed into
 * place only when complete, so a failed or interrupted run never leaves a partial
 * file under the requested name. The path "-" means standard output.
 */
#ifndef VAULTPROOF_FILEIO_H
#define VAULTPROOF_FILEIO_H

#include <stddef.h>
#include <stdio.h>

#include "vaultproof/error.h"

/* The one size rule for inputs (docs/user-guide.md, "Limits"). A file that vaultproof
 * itself wrote and the next stage reads - the snapshot, findings.json, the jobs stream -
 * has no size limit (VP_INPUT_OWN): whatever one stage writes, the next must read, and
 * those files are mapped, never copied, so their size costs address space only. Every
 * other input (configuration, keys, tokens, ledger, manifests, raw ARM responses, job
 * exports, anything from a bundle) is untrusted and refused above VP_MAX_INPUT_FILE: no
 * such file is legitimately that large, and a hostile one must not make us read it. */
#define VP_MAX_INPUT_FILE (2048ull * 1024 * 1024)
typedef enum {
    VP_INPUT_UNTRUSTED = 0, /* at most VP_MAX_INPUT_FILE bytes */
    VP_INPUT_OWN            /* written by vaultproof: any size the address space can map */
} vp_input_trust;

/* Opens path read-only (close-on-exec) only if it is a regular file, without ever
 * blocking: a FIFO, device, socket or directory is refused after a non-blocking open
 * and fstat, before anything could wait for a writer. Every input path goes through
 * this (or the readers below, which use it). On success *fd is blocking again.
 * Errors: VP_ERR_INPUT for a missing path or one that is not a regular file (the
 * message names the path and what it is); VP_ERR_IO when it cannot be opened. */
vp_status vp_open_regular(const char *path, int *fd, vp_error *err);
/* The same as a stdio stream ("rb"); *fp is NULL on failure. */
vp_status vp_fopen_regular(const char *path, FILE **fp, vp_error *err);

/* Reads a whole regular file, an untrusted input (VP_MAX_INPUT_FILE). On success *data
 * (NUL-terminated, caller frees) and *len are set. Errors: as vp_open_regular, and
 * VP_ERR_INPUT for a file too large (naming its size and the limit), VP_ERR_IO for read
 * failures. */
vp_status vp_read_file(const char *path, char **data, size_t *len, vp_error *err);

/* A read-only view of a whole file (memory-mapped, advised for sequential reading, not
 * made resident up front; empty files have data == NULL and len == 0). Large inputs are
 * mapped rather than copied so that reading hundreds of response files does not churn
 * the heap. trust says which size rule applies (above). Release with vp_unmap_file().
 * Errors as vp_read_file(); VP_ERR_NOMEM when an own file does not fit the address
 * space. */
typedef struct {
    const char *data;
    size_t len;
} vp_mapped_file;
vp_status vp_map_file(const char *path, vp_input_trust trust, vp_mapped_file *out, vp_error *err);
void vp_unmap_file(vp_mapped_file *f);

typedef struct vp_output vp_output;

/* Starts an output for path ("-" = stdout). The stream is vp_output_stream(). Every
 * vp_output_open must be followed by exactly one vp_output_commit or vp_output_abort,
 * both of which free the object. Only a new path or an existing regular file (or a
 * link to one) is replaced: a device node, FIFO, socket or directory is refused with
 * VP_ERR_IO naming the path and what it is. Errors: VP_ERR_IO naming the directory
 * when the temporary file cannot be created. */
vp_status vp_output_open(const char *path, vp_output **out, vp_error *err);
FILE *vp_output_stream(vp_output *o);
/* Flushes, syncs and renames into place. The file's mode is 0666 less the umask, as
 * for any new file (the temporary file is created with that mode). On failure, or
 * when the path meanwhile became something other than a regular file, the temporary
 * file is removed and VP_ERR_IO returned; the destination is untouched. */
vp_status vp_output_commit(vp_output *o, vp_error *err);
/* Discards the output: removes the temporary file. NULL is allowed. */
void vp_output_abort(vp_output *o);

/* SHA-256 of a file's bytes, read in chunks (memory stays small for large files, so
 * any size is hashed). Errors as vp_open_regular(), VP_ERR_IO for read failures. */
vp_status vp_sha256_file(const char *path, char hex[65], vp_error *err);

/* SHA-256 of a buffer as 64 lowercase hex digits plus NUL. */
void vp_sha256_hex(const void *data, size_t len, char hex[65]);

/* One RFC 4180 field to fp: preceded by a comma unless first; quoted (quotes doubled)
 * only when it holds a comma, quote, CR or LF; NULL is the empty field. The caller ends
 * each row with "\r\n" and checks fp for errors. */
void vp_csv_field(FILE *fp, const char *value, int first);

/* Removes a directory tree the program made, without following symbolic links (a link
 * is removed, not its target). A missing directory is not an error. Errors: VP_ERR_IO
 * naming the first entry that could not be removed (err may be NULL: best effort). */
vp_status vp_remove_tree(const char *dir, vp_error *err);

/* fsync of a directory, so that a rename or a new file in it survives a crash.
 * Errors: VP_ERR_IO naming the directory. */
vp_status vp_sync_dir(const char *dir, vp_error *err);

/* The directory part of path into dir (always NUL-terminated, cut to size): "." when
 * path has no '/', "/" for a file in the root. */
void vp_path_dir(const char *path, char *dir, size_t size);

/* Listing a tree (src/core/tree.c): every non-directory entry below root for which
 * keep(rel) is nonzero (keep NULL: every one), as '/'-separated paths relative to root,
 * sorted bytewise, in *paths (count in *count; free with vp_list_free). With
 * VP_LIST_SKIP_HIDDEN, entries whose name begins with '.' are passed over with everything
 * below them. A kept entry that is not a regular file (a symlink, FIFO, device) is refused:
 * what is listed is copied or hashed, and a link could lead outside root. Errors:
 * VP_ERR_INPUT (naming the entry; also a tree nested deeper than VP_LIST_MAX_DEPTH),
 * VP_ERR_IO (an unreadable directory), VP_ERR_NOMEM; nothing is returned on error. */
#define VP_LIST_SKIP_HIDDEN 1u
#define VP_LIST_MAX_DEPTH 64
vp_status vp_list_files(const char *root, unsigned flags, int (*keep)(const char *rel), char ***paths,
                        size_t *count, vp_error *err);
void vp_list_free(char **paths, size_t count);
/* Sorts paths bytewise (strcmp), the one order every listing and manifest uses. */
void vp_list_sort(char **paths, size_t count);

/* ---- descriptors (src/core/atfile.c) ---- */

/* SHA-256 of everything the open file fd holds, read from offset 0 with pread (the file
 * offset is left alone), so a file written through a descriptor is hashed through the
 * same one. size (may be NULL) receives the byte count. label names it in messages.
 * Errors: VP_ERR_IO on a read error, VP_ERR_CRYPTO. */
vp_status vp_sha256_fd(int fd, const char *label, char hex[65], long long *size, vp_error *err);

#endif
