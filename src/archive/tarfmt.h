/* The one definition of the bytes vp_archive_write emits, shared with the reader so a
 * bundle can be checked against the encoding it must have (archive_read.c). */
#ifndef VP_ARCHIVE_TARFMT_H
#define VP_ARCHIVE_TARFMT_H

#include <stddef.h>

#include "vaultproof/archive.h"

#define VPA_BLOCK 512
#define VPA_RECORD 10240 /* the archive is zero-padded to a multiple of this (GNU tar's) */
/* zlib's default level 6: a 100k-item bundle holds ~1.7 GB, which level 9 deflates
 * about 40 % slower for about 8 % smaller output. Neither the level nor the number of
 * threads pgzip uses affects determinism, but the reader re-encodes with this level. */
#define VPA_LEVEL 6
/* Longest header sequence of one entry: a pax header, its record padded, the ustar header. */
#define VPA_HEADER_MAX (VPA_BLOCK + ((VP_ARCHIVE_MAX_NAME + 64 + VPA_BLOCK - 1) / VPA_BLOCK) * VPA_BLOCK + VPA_BLOCK)

/* Writes into out the header bytes of one entry (path is the full name, with a trailing
 * '/' for a directory): mode 0644 / 0755, owner 0/0, no user or group names, the given
 * mtime, the name in the ustar name/prefix fields or, when it does not split, in a pax
 * "path" record. Returns the length (a multiple of VPA_BLOCK); path must not exceed
 * VP_ARCHIVE_MAX_NAME bytes. */
size_t vpa_tar_header(const char *path, int is_dir, unsigned long long size, long long mtime,
                      unsigned char out[VPA_HEADER_MAX]);

#endif
