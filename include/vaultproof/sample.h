/*
 * vaultproof/sample.h - a reproducible audit sample an auditor can re-draw by hand.
 *
 * The method (docs/sampling.md) is fixed and documented so that the sample depends on
 * nothing but the population file, the seed and the size:
 *   1. the population: every member of the file, in file order (jobs: the job lines of a
 *      jobs.jsonl, detail lines skipped; items / VMs: the snapshot's order; findings:
 *      findings.json's order), each with its key (its id; a finding's "<rule> <resource
 *      id>") and, when stratified, its stratum (the vault's ARM id, ASCII lower case);
 *   2. each member's draw value: SHA-256 over the seed's bytes, one 0x00 byte and the
 *      key's bytes;
 *   3. the sample: the N members with the smallest draw values (compared as 32-byte
 *      big-endian numbers; equal values - only a repeated key - by file position), per
 *      stratum when stratified (allocation by the largest-remainder method);
 *   4. listed in population order.
 * A member's draw value does not depend on the other members or their order, so the
 * sample is kept in one pass with a bounded heap of N (memory follows N, not the
 * population) and the sample of a reordered file holds the same keys.
 */
#ifndef VAULTPROOF_SAMPLE_H
#define VAULTPROOF_SAMPLE_H

#include <stddef.h>
#include <stdio.h>

#include "vaultproof/error.h"

/* The format string of the sample's JSON record (sample.json). */
#define VP_SAMPLE_FORMAT "vaultproof-sample/1"
/* The method's name as the record states it (docs/sampling.md defines it). */
#define VP_SAMPLE_METHOD "sha256-smallest/1"
/* A seed is 1 to this many printable ASCII characters without spaces. */
#define VP_SAMPLE_SEED_MAX 128

/* What can be sampled. Append new populations at the end (names are format). */
typedef enum {
    VP_SAMPLE_JOBS = 0, /* job lines of a jobs.jsonl (collect --jobs-out) */
    VP_SAMPLE_ITEMS,    /* protected items of a snapshot */
    VP_SAMPLE_VMS,      /* virtual machines of a snapshot */
    VP_SAMPLE_FINDINGS, /* findings of a findings.json */
    VP_SAMPLE_POPULATION_COUNT
} vp_sample_population;

/* "jobs", "items", "vms", "findings"; "?" out of range. */
const char *vp_sample_population_name(vp_sample_population p);
/* The population named name, or -1. */
int vp_sample_population_parse(const char *name);

typedef enum { VP_SAMPLE_STRATA_NONE = 0, VP_SAMPLE_STRATA_VAULT } vp_sample_strata;

/* "vault" to VP_SAMPLE_STRATA_VAULT; -1 for anything else. */
int vp_sample_strata_parse(const char *name);

typedef struct {
    vp_sample_population population;
    const char *path;  /* the population file */
    const char *label; /* its name in the record (a bundle-relative path); NULL: path */
    const char *seed;  /* see vp_sample_check_seed */
    size_t size;       /* N > 0; N at least the population's size draws everyone */
    vp_sample_strata strata;
} vp_sample_options;

/* One drawn member. */
typedef struct {
    size_t ordinal;     /* 1-based position in the population */
    const char *key;
    const char *stratum; /* "" when not stratified or the member has no vault */
    char sha256[65];    /* the draw value, lower-case hex */
    const char **cols;  /* vp_sample_columns' values, "" when absent */
} vp_sample_member;

/* One stratum's allocation (stratified samples only). */
typedef struct {
    const char *stratum; /* "" collects the members without a vault */
    size_t population, drawn;
} vp_sample_stratum;

typedef struct vp_sample vp_sample;

/* A seed is its bytes exactly as given: 1 to VP_SAMPLE_SEED_MAX characters from '!' to
 * '~' (a decimal seed is text too: "042" and "42" are two seeds). Errors: VP_ERR_USAGE
 * saying what a seed may be. */
vp_status vp_sample_check_seed(const char *seed, vp_error *err);

/* Draws the sample described by o from the population file (read twice when stratified:
 * once to count each stratum, once to draw), recording the file's SHA-256 and size; a
 * file that changes while it is read is refused. *out (vp_sample_free) is set only on
 * success. Errors: VP_ERR_USAGE (size 0, a bad seed), VP_ERR_INPUT (the file is not a
 * population of that kind: file, line or JSON pointer and what was expected; a file that
 * changed), VP_ERR_IO, VP_ERR_NOMEM. */
vp_status vp_sample_draw(const vp_sample_options *o, vp_sample **out, vp_error *err);

/* The descriptive columns of a population's rows, after ordinal, stratum, key and
 * sha256 (e.g. items: vault_id, friendly_name, kind, protection_state). */
const char *const *vp_sample_columns(vp_sample_population p, size_t *count);

/* What was drawn. Borrowed from s. */
typedef struct {
    vp_sample_population population;
    const char *population_file; /* the options' label or path */
    char population_sha256[65];
    size_t population_size;
    const char *seed;
    size_t size_requested;
    vp_sample_strata strata;
    const vp_sample_member *members; /* in population order */
    size_t member_count;
    const vp_sample_stratum *strata_list; /* sorted bytewise by stratum; none when not stratified */
    size_t stratum_count;
} vp_sample_view;
void vp_sample_get(const vp_sample *s, vp_sample_view *v);

/* Writes the sample as CSV to fp (label names it in messages): RFC 4180, UTF-8, CRLF, one
 * header row - ordinal, stratum, key, sha256, then the population's columns - and one row
 * per drawn member, in population order. Errors: VP_ERR_IO. */
vp_status vp_sample_write_csv(const vp_sample *s, FILE *fp, const char *label, vp_error *err);
/* Writes the sample's record to fp (VP_SAMPLE_FORMAT: method, seed, strata, population
 * name, file, SHA-256 and size, the allocation, every drawn member's ordinal, key,
 * stratum and draw value; docs/sampling.md). Errors: VP_ERR_IO. */
vp_status vp_sample_write_json(const vp_sample *s, FILE *fp, const char *label, vp_error *err);
/* The record's path beside a CSV's: a trailing ".csv" becomes ".json", else ".json" is
 * appended. Errors: VP_ERR_USAGE when it does not fit in size. */
vp_status vp_sample_record_path(const char *csv_path, char *out, size_t size, vp_error *err);

/* NULL is allowed. */
void vp_sample_free(vp_sample *s);

#endif
