/* The sample module's internals: the keyed draw, the allocation over strata and the
 * population readers. Private to src/sample/ (the unit tests include it to feed members
 * in any order and to check the allocation on its own). */
#ifndef VP_SAMPLE_INTERNAL_H
#define VP_SAMPLE_INTERNAL_H

#include <stddef.h>

#include "vaultproof/sample.h"

#define VPZ_MAX_COLS 5 /* the most descriptive columns a population has */

/* A member's draw value: SHA-256(seed bytes || 0x00 || key bytes). The 0x00 keeps
 * ("ab", "c") and ("a", "bc") apart: neither a seed nor a key (a JSON string without
 * \u0000) can hold one. */
void vpz_digest(const char *seed, const char *key, unsigned char out[32]);

/* The stratum of an ARM id: the id up to and including the vault's name
 * (.../providers/Microsoft.RecoveryServices/vaults/<name>), in ASCII lower case, since
 * Azure compares ids without case; "" when the id names no vault, does not start with
 * '/' (a list call's "backupconfig /subscriptions/...") or is NULL.
 * Writes at most size - 1 bytes; returns out. */
char *vpz_vault_of(const char *id, char *out, size_t size);

/* Allocation of n draws over h strata of sizes pop[0..h-1] (sum P > n > 0, listed in
 * the strata's bytewise order): when n >= h every stratum first gets one and the other
 * n - h go proportionally to pop[i] - 1, else all n proportionally to pop[i]; each gets
 * the floor of its quota, and the draws left go one each to the largest remainders
 * (ties: the earlier stratum). alloc[i] <= pop[i] always. Errors: VP_ERR_NOMEM. */
vp_status vpz_allocate(const size_t *pop, size_t h, size_t n, size_t *alloc, vp_error *err);

/* Keeps the members with the smallest draw values, per stratum, with bounded memory. */
typedef struct vpz_drawer vpz_drawer;

/* A drawer for one seed; strata (sorted bytewise, h of them, NULL when h == 0) with
 * their capacities cap[]; h == 0: one pool of capacity cap0. Errors: VP_ERR_NOMEM. */
vp_status vpz_drawer_new(const char *seed, const char *const *strata, const size_t *cap, size_t h, size_t cap0,
                         vpz_drawer **out, vp_error *err);
/* Offers a member (strings copied only when kept). stratum must be one of the
 * drawer's strata when it has any (else VP_ERR_INTERNAL); ignored when it has none.
 * Errors: VP_ERR_NOMEM. */
vp_status vpz_drawer_offer(vpz_drawer *d, size_t ordinal, const char *key, const char *stratum,
                           const char *const *cols, size_t ncols, vp_error *err);
/* Moves every kept member into *members (population order, by ordinal), *count of them;
 * the drawer is freed. Errors: VP_ERR_NOMEM (the drawer is freed too). */
vp_status vpz_drawer_finish(vpz_drawer *d, vp_sample_member **members, size_t *count, vp_error *err);
void vpz_drawer_free(vpz_drawer *d);
/* Releases members made by vpz_drawer_finish. */
void vpz_members_free(vp_sample_member *m, size_t count, size_t ncols);

/* Called once per member of a population in its order (ordinal from 1); the strings are
 * borrowed for the call only. */
typedef vp_status (*vpz_member_fn)(void *ctx, size_t ordinal, const char *key, const char *stratum,
                                   const char *const *cols, vp_error *err);
/* Walks the population file path of kind p (label names it in messages). Errors:
 * VP_ERR_INPUT naming the file and line or pointer, VP_ERR_IO, or what fn returned. */
vp_status vpz_walk(vp_sample_population p, const char *path, vpz_member_fn fn, void *ctx, vp_error *err);

#endif
