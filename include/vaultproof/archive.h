/*
 * vaultproof/archive.h - the bundle archive: deterministic .tar.gz out, safe reading in.
 *
 * Writing produces the same bytes for the same tree and pinned time, so a bundle's hash
 * can be reproduced by anyone (ustar entries sorted by path, owner 0/0, fixed modes, the
 * pinned mtime, pax "path" records for long names, gzip header with mtime 0, no name and
 * a fixed OS byte). Reading treats the archive as hostile: every header checksum is
 * checked, names are validated before anything is created, and only regular files and
 * directories are accepted.
 *
 * Names handed to callbacks are normalised: relative, '/'-separated, no "." or empty
 * components, no trailing '/', e.g. "bundle/raw/a.json".
 */
#ifndef VAULTPROOF_ARCHIVE_H
#define VAULTPROOF_ARCHIVE_H

#include <stdio.h>

#include "vaultproof/error.h"

/* Largest file an archive entry may hold: the ustar size field has 11 octal digits. */
#define VP_ARCHIVE_MAX_FILE 077777777777ULL
/* Longest entry name accepted when reading or writing (bytes, without the NUL). */
#define VP_ARCHIVE_MAX_NAME 4095

/* Reading bounds what a small hostile archive can cost: it is refused as soon as the tar
 * stream exceeds VP_ARCHIVE_MAX_TOTAL bytes, or VP_ARCHIVE_MAX_RATIO times the compressed
 * bytes read so far once past VP_ARCHIVE_RATIO_SLACK (vaultproof's own bundles inflate
 * about 8 to 11 times; deflate can reach 1032). */
#define VP_ARCHIVE_MAX_TOTAL (64ULL << 30)
#define VP_ARCHIVE_MAX_RATIO 100u
#define VP_ARCHIVE_RATIO_SLACK (8ULL << 20)

typedef enum { VP_ARCHIVE_FILE = 0, VP_ARCHIVE_DIR = 1 } vp_archive_kind;

/* One archive entry as seen by a callback. Borrowed: name is valid only during the
 * callback; copy what you keep. */
typedef struct {
    const char *name;        /* normalised path, see above */
    unsigned long long size; /* bytes of content; 0 for directories */
    vp_archive_kind kind;
} vp_archive_entry;

/* Called once per entry in archive order. Return VP_OK to continue; any other status
 * stops the walk and is returned by the caller of vp_archive_list/extract unchanged
 * (fill err to explain it). */
typedef vp_status (*vp_archive_entry_cb)(const vp_archive_entry *entry, void *ctx, vp_error *err);

/*
 * Writes a deterministic gzip-compressed ustar archive of src_dir to out.
 *
 * Every directory and regular file below src_dir is stored under the single top folder
 * top_name/ (which is itself an entry), sorted by full path in byte order; mode 0644 for
 * files, 0755 for directories; uid/gid 0, uname/gname empty; mtime = the given time
 * (0..077777777777). Names over 100 bytes use the ustar prefix field when they split on a
 * '/', otherwise a pax extended header with a fixed name and only a "path" record. The
 * archive ends with two zero blocks, padded to a 10240-byte record (as GNU tar does).
 * File contents are streamed in chunks; only the list of paths is held in memory.
 * out is written to and fflush()ed but not synced or closed (the caller owns it; use
 * vp_output_open for atomic publishing). out must not be a file inside src_dir. Entry
 * order is a plain byte sort of full paths, so "d-x" precedes "d/y" (GNU tar's
 * --sort=name sorts per directory and would differ there).
 *
 * Errors: VP_ERR_INPUT when src_dir is not a directory, top_name is empty or contains
 * '/' or control characters, an entry is a symlink or other non-regular file, a name has
 * control characters or is too long, a file is too large, or mtime is out of range (the
 * message names the path); VP_ERR_IO when reading a file or writing out fails or a file
 * changed size while being read; VP_ERR_NOMEM. On failure, out holds a partial archive
 * the caller must discard.
 */
vp_status vp_archive_write(const char *src_dir, const char *top_name, long long mtime, FILE *out, vp_error *err);

/* Called by vp_archive_write_checked for every file once its content is in the stream:
 * its name below src_dir ('/'-separated), its size and the SHA-256 (64 lowercase hex
 * digits) of exactly the bytes that went into the archive. Return VP_OK to continue; any
 * other status stops the writer and is returned unchanged (fill err). */
typedef vp_status (*vp_archive_written_cb)(const char *rel, unsigned long long size, const char sha256[65], void *ctx,
                                           vp_error *err);

/* vp_archive_write, checking while it writes instead of reading the archive back: cb (may
 * be NULL) sees every file with the hash of the bytes it put into the stream, and
 * archive_sha256 (may be NULL) receives the SHA-256 of every compressed byte written to
 * out, so the caller can tell whether the file it then holds is what was written.
 * Errors: as vp_archive_write; VP_ERR_CRYPTO when hashing fails; or whatever cb returned. */
vp_status vp_archive_write_checked(const char *src_dir, const char *top_name, long long mtime, FILE *out,
                                   vp_archive_written_cb cb, void *ctx, char archive_sha256[65], vp_error *err);

/*
 * Lists the .tar.gz at archive_path without extracting: cb (may be NULL) is called for
 * every file and directory entry, in archive order, with its normalised name and size.
 * The whole archive is validated exactly as vp_archive_extract does, including the gzip
 * CRC and the end-of-archive marker, so only a VP_OK return means the archive is sound:
 * on failure cb may already have been called for the entries before the bad one.
 *
 * Errors: VP_ERR_INPUT (message names the entry and what was wrong) for a bad gzip
 * stream, truncation, trailing data, a stream over the bounds above, a header checksum mismatch, an unknown format, a
 * malformed numeric field, an absolute name, a ".." component, NUL or control
 * characters in a name, a link, device, fifo or other entry type, duplicate names, a
 * directory with a non-zero size or a pax size that disagrees with the header;
 * VP_ERR_INPUT also when the file cannot be opened; VP_ERR_IO on a read error;
 * VP_ERR_NOMEM; or whatever cb returned.
 */
vp_status vp_archive_list(const char *archive_path, vp_archive_entry_cb cb, void *ctx, vp_error *err);

/*
 * Extracts the .tar.gz at archive_path into dest_dir, which must be an empty directory
 * (not a symlink) or not exist yet (it is then created with mode 0755; its parent must
 * exist). The archive is validated completely first (as vp_archive_list) and nothing is
 * created unless it is sound; then it is read again and written. Every path is resolved
 * component by component from dest_dir without following symlinks; files are created
 * with O_CREAT|O_EXCL|O_NOFOLLOW and mode 0644, directories with mode 0755 (missing
 * parents are created too). cb (may be NULL) is called after each entry has been written,
 * with the name relative to dest_dir, so a verifier can compare against a manifest.
 *
 * Errors: as vp_archive_list; VP_ERR_INPUT also when dest_dir is not empty, not a
 * directory, or an entry collides with another (a file where a directory is needed);
 * VP_ERR_IO when creating or writing fails. If an error occurs during the second pass
 * (I/O, or the archive changed between passes), dest_dir may hold some files: the
 * caller should remove it. Nothing is ever written outside dest_dir.
 */
vp_status vp_archive_extract(const char *archive_path, const char *dest_dir, vp_archive_entry_cb cb, void *ctx,
                             vp_error *err);

/* Called by vp_archive_scan for every entry once its header is validated and before any
 * of its content is read (size is the header's). Set *keep to have a file's content
 * handed to the file callback (it is then held in memory whole: keep only small files).
 * Return VP_OK to continue; any other status stops the scan before the content is
 * inflated and is returned unchanged. */
typedef vp_status (*vp_archive_head_fn)(const vp_archive_entry *entry, int *keep, void *ctx, vp_error *err);

/* What vp_archive_scan found out about the encoding. The canonical form is exactly what
 * vp_archive_write emits for the archive's own directories, files and mtime: entries in
 * byte order of their names, every parent directory an entry before its children,
 * headers as the writer fills them (modes 0644/0755, owner 0/0, no user or group name,
 * one mtime, no other pax records), zero padding, the trailer padded to one record, and
 * the gzip member the writer's deflate settings produce (header bytes included). */
typedef struct {
    long long mtime;     /* the first header's mtime; -1 when there was none */
    char deviation[512]; /* "" when the archive is in canonical form, else the first difference */
} vp_archive_form;

/* Called once per entry, after its content was read: sha256 is 64 lowercase hex digits
 * ("" for a directory); *data/len is the content (malloc'd, NUL-terminated) when head
 * asked to keep it, else NULL/0: take it by setting *data to NULL (then free it
 * yourself), or leave it to be freed after the call. Return VP_OK to continue. */
typedef vp_status (*vp_archive_file_cb)(const vp_archive_entry *entry, const char *sha256, unsigned char **data,
                                        size_t len, void *ctx, vp_error *err);

/*
 * Reads the .tar.gz at archive_path once, validating it exactly as vp_archive_list
 * does, and hashes every file's content on the way; nothing is written anywhere, so
 * nothing in the archive can reach the file system. head (may be NULL) sees every
 * header first, may refuse the entry before its content is inflated, and picks the
 * files whose content cb receives. As with vp_archive_list, only a VP_OK return means
 * the whole archive is sound (the gzip CRC and the end marker come last).
 * form (may be NULL) asks for the canonical-form check as well: the inflated stream is
 * deflated again with the writer's settings and compared with the file, and every
 * header with the one the writer would fill; form->deviation says where it first
 * differed (a difference does not stop the scan: it is filled when VP_OK is returned).
 * Errors: as vp_archive_list; VP_ERR_NOMEM when a kept file does not fit in memory;
 * VP_ERR_CRYPTO when hashing fails; or whatever head or cb returned.
 */
vp_status vp_archive_scan(const char *archive_path, vp_archive_head_fn head, vp_archive_file_cb cb, void *ctx,
                          vp_archive_form *form, vp_error *err);

#endif
