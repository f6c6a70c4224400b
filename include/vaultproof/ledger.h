/*
 * vaultproof/ledger.h - the evidence ledger: append-only JSON lines, hash-chained.
 *
 * One canonical JSON object per line records one published bundle. Each line carries
 * "prev", the SHA-256 of the previous line's bytes (newline included; 64 zeros for the
 * first line), and "entry_sha256", the SHA-256 of its own bytes with that value replaced
 * by 64 zeros. Anyone can recompute both with sed and sha256sum; docs/ledger-format.md
 * gives the exact rules and commands.
 *
 * What the chain detects: any change, insertion, removal or reordering of lines, and a
 * partial (torn) last line. What it cannot detect on its own: removal of whole lines
 * from the end; that needs an external anchor (for example the latest bundle's
 * manifest naming the previous bundle's hash).
 *
 * Ownership: entries are plain values with fixed-size strings; nothing returned needs
 * freeing. No global state; safe to use from several threads on different ledgers.
 * Concurrent appenders to the same ledger are serialized by an exclusive flock() on
 * its directory (advisory: writers that are not vaultproof are not stopped).
 */
#ifndef VAULTPROOF_LEDGER_H
#define VAULTPROOF_LEDGER_H

#include <stddef.h>

#include "vaultproof/error.h"
#include "vaultproof/keys.h"

#define VP_LEDGER_FORMAT "vaultproof-ledger/1"
#define VP_LEDGER_NAME_MAX 255     /* longest bundle file name, in bytes */
#define VP_LEDGER_PERIOD_MAX 64    /* longest period label */
#define VP_LEDGER_REQUEST_MAX 128  /* longest request id */
#define VP_LEDGER_RESULT_MAX 32    /* longest result word */

/* One ledger line. Strings are NUL-terminated UTF-8; an empty period or request_id
 * is written as JSON null. */
typedef struct {
    long long seq;                               /* 1, 2, ...; computed by append */
    long long time;                              /* epoch seconds, written as RFC 3339 UTC */
    char bundle[VP_LEDGER_NAME_MAX + 1];         /* archive file name, no directory part */
    char bundle_sha256[65];                      /* 64 lowercase hex digits */
    long long bundle_bytes;                      /* size of the archive */
    char manifest_sha256[65];                    /* 64 lowercase hex digits */
    char period[VP_LEDGER_PERIOD_MAX + 1];       /* e.g. "2026-Q3"; "" = null */
    char request_id[VP_LEDGER_REQUEST_MAX + 1];  /* auditor's request id; "" = null */
    char result[VP_LEDGER_RESULT_MAX + 1];       /* lowercase word: "pass", "fail", ... */
    char prev[65];                               /* computed by append */
    char entry_sha256[65];                       /* computed by append */
} vp_ledger_entry;

/* What vp_ledger_verify found. */
typedef struct {
    long long entries;      /* number of lines (0 for an empty ledger) */
    long long bad_line;     /* first bad line (1-based) on VP_ERR_CHECK, else 0 */
    char head_sha256[65];   /* SHA-256 of the last line: the next entry's prev */
    vp_ledger_entry last;   /* the last entry when entries > 0, else zeroed */
} vp_ledger_report;

/* Appends one entry to the ledger at path, creating the ledger when the file does
 * not exist. The caller fills time, bundle, bundle_sha256, bundle_bytes,
 * manifest_sha256, period, request_id and result; seq, prev and entry_sha256 in e are
 * ignored and computed here. When out is not NULL it receives the entry as written.
 *
 * The existing ledger is verified completely first. The new file (old bytes + new
 * line) is written beside it, fsynced, renamed over it (mode 0644) and the directory
 * is fsynced, so a crash at any moment leaves either the old or the new ledger.
 * Leftover temporary files from an interrupted append are ignored.
 *
 * Errors: VP_ERR_CHECK when the existing ledger does not verify (the message names the
 * line; the file is left unchanged); VP_ERR_INPUT for an invalid entry field or an
 * unreadable ledger; VP_ERR_IO when writing, syncing, locking or renaming fails;
 * VP_ERR_NOMEM. */
vp_status vp_ledger_append(const char *path, const vp_ledger_entry *e, vp_ledger_entry *out, vp_error *err);

/* Verifies every line of the ledger at path: strict JSON (UTF-8, no duplicate keys),
 * canonical form, format, seq contiguous from 1, every field valid, prev chaining and
 * entry hashes. A final line without its newline is a torn write and fails.
 * On VP_OK out (may be NULL) holds the count, head hash and last entry.
 *
 * Errors: VP_ERR_CHECK for the first bad line (the message says "line N" and why;
 * out->bad_line is N); VP_ERR_INPUT when the file is missing or not a regular file;
 * VP_ERR_IO on read failure; VP_ERR_NOMEM. */
vp_status vp_ledger_verify(const char *path, vp_ledger_report *out, vp_error *err);

/* Verifies the whole ledger, then finds the first entry whose bundle_sha256 equals
 * bundle_sha256 (64 hex digits, compared case-insensitively) and copies it to *out
 * (whose content is unspecified on failure).
 *
 * Errors: as vp_ledger_verify; VP_ERR_CHECK also when no entry names the bundle;
 * VP_ERR_USAGE when bundle_sha256 is not 64 hex digits. */
vp_status vp_ledger_find(const char *path, const char *bundle_sha256, vp_ledger_entry *out, vp_error *err);

/* vp_ledger_verify, and on success every entry in order: *entries (free with free();
 * NULL when the ledger is empty) and *count. On failure *entries is NULL, *count 0.
 * Errors: as vp_ledger_verify. */
vp_status vp_ledger_entries(const char *path, vp_ledger_entry **entries, size_t *count, vp_error *err);

/* The entry among v[0..n) (as from vp_ledger_entries) whose bundle is the file name
 * bundle, compared exactly; NULL when none is. Borrowed: points into v. */
const vp_ledger_entry *vp_ledger_entry_by_bundle(const vp_ledger_entry *v, size_t n, const char *bundle);

/* As vp_ledger_append, and the new line is signed: a detached CMS (CAdES-BES, signing
 * time = e->time) over the line's exact bytes, newline included, is written to
 * vp_ledger_signature_path(path, seq) - atomically, and before the line itself is
 * published, so a line never exists without its signature. Anyone can check a line with
 *   sed -n 'Np' ledger.jsonl > line
 *   openssl cms -verify -binary -inform DER -in ledger.jsonl.sig/00000N.p7s -content line \
 *     -CAfile ca.pem -purpose any
 * A signature file left by an append that died before publishing its line is
 * overwritten by the next append (it has the same sequence number).
 * Errors: as vp_ledger_append; VP_ERR_USAGE for a NULL signer; VP_ERR_CRYPTO when
 * signing fails. */
vp_status vp_ledger_append_signed(const char *path, const vp_ledger_entry *e, const vp_signer *signer,
                                  vp_ledger_entry *out, vp_error *err);

/* The signature file of line seq of the ledger at path: "<path>.sig/<seq>.p7s" with
 * seq zero-padded to six digits (more when larger). Always NUL-terminates buf; returns
 * VP_ERR_USAGE when it does not fit. */
vp_status vp_ledger_signature_path(const char *path, long long seq, char *buf, size_t size, vp_error *err);

/* vp_ledger_verify, then every line's signature: the file must exist and hold a valid
 * detached CMS over exactly that line whose signer chains to trust_ca_path (PEM).
 * Signature files beyond the last line are ignored (see vp_ledger_append_signed).
 * Errors: as vp_ledger_verify; VP_ERR_CHECK also for the first line whose signature is
 * missing, invalid or untrusted (out->bad_line is that line); VP_ERR_USAGE when
 * trust_ca_path is NULL. */
vp_status vp_ledger_verify_signed(const char *path, const char *trust_ca_path, vp_ledger_report *out, vp_error *err);

#endif
