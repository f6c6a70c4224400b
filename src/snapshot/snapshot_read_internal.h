/* Internal to the snapshot reader (snapshot_read*.c): the state shared by the line
 * walker, the per-entity conversions and the typed member getters. */
#ifndef VP_SNAPSHOT_READ_INTERNAL_H
#define VP_SNAPSHOT_READ_INTERNAL_H

#include <stddef.h>

#include "core/arena.h"
#include "vaultproof/json.h"
#include "vaultproof/snapshot.h"

/* The arrays of the format whose elements the canonical layout puts one per line. */
typedef enum {
    RD_LISTS,
    RD_WARNINGS,
    RD_FILES,
    RD_WORM_SOURCES,
    RD_REGIONS,
    RD_SUBSCRIPTIONS,
    RD_VAULTS,
    RD_POLICIES,
    RD_ITEMS,
    RD_VMS,
    RD_GUARDS,   /* format 2 added these three */
    RD_ENGINES,
    RD_DELETED,
    RD_CHANGES,  /* only with collection.period */
    RD_KINDS
} rd_kind;

/* The file, mapped; pages before `released` have been given back. */
typedef struct {
    const char *text;
    size_t len, released, page;
} rd_input;

/* Where a value is, for messages only: a chain of parents from which the JSON pointer
 * is built when (and only when) an error is reported. */
typedef struct rd_path {
    const struct rd_path *up;
    const char *key; /* member name; NULL for an array element */
    size_t index;
} rd_path;

/* Interned strings: one arena copy per distinct value. Open addressing. */
typedef struct {
    struct rd_slot *slots;
    size_t cap, count;
} rd_strings;

/* A growable malloc'd array of one entity kind. */
typedef struct {
    void *v;
    size_t n, cap;
} rd_vec;

typedef struct {
    const char *file;      /* the snapshot's path, for messages */
    const char *text;      /* the whole document, to find an error's line; NULL when unknown */
    size_t len;
    size_t line;           /* line of the element being read; 0: find it in text */
    vp_arena *arena;       /* owned by the snapshot once reading succeeds */
    rd_strings strings;
    vp_snapshot *snap;     /* scalars are read straight into it */
    rd_vec vec[RD_KINDS];  /* entities, in document order */
    long long counts[RD_KINDS]; /* collection.counts as written, checked at the end */
    /* The document's format, 1 or 2 (VP_SNAPSHOT_FORMAT_1, VP_SNAPSHOT_FORMAT): which
     * members are expected. Known before the elements are converted - from the file's
     * first member when it is "format" (the writer's layout), else assumed 2 - and
     * checked against the document; on a mismatch format_retry is the document's and
     * the read starts again with it (snapshot_read.c). */
    int format;
    int format_retry;
    vp_error *err;
    vp_status status;      /* first error; every getter is a no-op after one */
    /* A lazy read (vp_snapshot_read_json_lazy): elements of these kinds (bit 1 << kind)
     * are only counted, by the walker, into lazy_count; nothing of them is kept. */
    unsigned lazy_kinds;
    size_t lazy_count[RD_KINDS];
    /* A streaming read (snapshot_stream.c): only elements of stream_kind are converted,
     * one batch at a time, each handed to on_element and then dropped. */
    int stream_kind;       /* -1: not streaming */
    vp_status (*on_element)(void *ctx, const void *elem);
    void *on_element_ctx;
    size_t index_base[RD_KINDS]; /* elements already dropped, for the pointers in messages */
    char *stream_prev_id;  /* the previous streamed id (malloc'd): order and duplicates */
} rd_ctx;

/* One object being read: members are looked up in the canonical order first, and
 * every member must be looked up exactly once (unknown members are errors). */
#define RD_MAX_MEMBERS 40 /* more than any object of the format has (an item: 31) */
typedef struct {
    rd_ctx *c;
    const cJSON *obj;
    const rd_path *at;
    const cJSON *next;                  /* the member expected next */
    const char *asked[RD_MAX_MEMBERS];  /* keys looked up, to name an unknown member */
    size_t asked_count;
} rd_obj;

typedef enum { RD_COPY = 0, RD_INTERN = 1 } rd_store;

/* ---- snapshot_read_util.c ---- */
vp_status vpn_rd_fail(rd_ctx *c, const rd_path *at, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
vp_status vpn_rd_nomem(rd_ctx *c);
void vpn_rd_pointer(const rd_path *at, const char *key, char *buf, size_t size);
const char *vpn_rd_intern(rd_ctx *c, const char *s);
const char *vpn_rd_keep(rd_ctx *c, const char *s, rd_store how);
void vpn_rd_strings_free(rd_strings *t);
void *vpn_rd_push(rd_ctx *c, rd_kind k, size_t elem);

void vpn_rd_open(rd_obj *o, rd_ctx *c, const cJSON *obj, const rd_path *at);
vp_status vpn_rd_close(rd_obj *o);
const cJSON *vpn_rd_member(rd_obj *o, const char *key);
vp_presence vpn_rd_str(rd_obj *o, const char *key, rd_store how, const char **out);
void vpn_rd_str_req(rd_obj *o, const char *key, rd_store how, const char **out);
void vpn_rd_text(rd_obj *o, const char *key, rd_store how, vp_text *out);
vp_presence vpn_rd_int(rd_obj *o, const char *key, long long min, long long max, int nullable, long long *out);
void vpn_rd_num(rd_obj *o, const char *key, vp_num *out);
long long vpn_rd_days(rd_obj *o, const char *key);
void vpn_rd_bool(rd_obj *o, const char *key, int *out);
void vpn_rd_flag(rd_obj *o, const char *key, vp_flag *out);
int vpn_rd_enum(rd_obj *o, const char *key, const char *const *names, int nullable);
int vpn_rd_object(rd_obj *o, const char *key, int nullable, rd_path *p, rd_obj *child);
const cJSON *vpn_rd_array(rd_obj *o, const char *key, rd_path *p);
const char **vpn_rd_string_array(rd_obj *o, const char *key, rd_store how, size_t *count);
/* As vpn_rd_string_array, but null is allowed: *presence says which it was. */
const char **vpn_rd_string_array_nullable(rd_obj *o, const char *key, rd_store how, size_t *count,
                                          unsigned char *presence);

/* ---- snapshot_read_scan.c ---- */
/* The line on which the value at pointer (or, when absent, its nearest enclosing
 * value) starts in text; 0 when not found. For messages only. */
size_t vpn_rd_line_of_value(const char *text, size_t len, const char *pointer);

/* ---- snapshot_read.c ---- */
vp_status vpn_rd_map_input(const char *path, rd_input *in, vp_error *err);
void vpn_rd_unmap_input(rd_input *in);
vp_status vpn_rd_ctx_init(rd_ctx *c, const char *path, const rd_input *in, vp_error *err);
void vpn_rd_ctx_free(rd_ctx *c);

/* ---- snapshot_read_lines.c ---- */
/* Reads the element lines of the canonical layout into c and returns the skeleton
 * (caller frees; NULL when the file had no one-per-line array: then the text is its
 * own skeleton). A syntax error is returned; a conversion error is left in c->status
 * with its message in *pending_err. *other_layout: the file is in another layout. */
vp_status vpn_rd_read_lines(rd_ctx *c, rd_input *in, vp_error *pending_err, char **skel, size_t *skel_len,
                        int *other_layout);

/* Reads one object (an entity, or a part of one) into out. */
typedef void (*rd_part_fn)(rd_obj *o, void *out);

/* ---- snapshot_read_entities.c ---- */
void vpn_rd_read_source(rd_obj *o, const char *key, vp_source *out);
void vpn_rd_read_vault(rd_obj *o, void *out);
void vpn_rd_read_policy(rd_obj *o, void *out);
void vpn_rd_read_item(rd_obj *o, void *out);
void vpn_rd_read_vm(rd_obj *o, void *out);
void vpn_rd_read_resource_guard(rd_obj *o, void *out);
void vpn_rd_read_engine(rd_obj *o, void *out);
void vpn_rd_read_deleted_vault(rd_obj *o, void *out);
void vpn_rd_read_change(rd_obj *o, void *out);

/* ---- snapshot_read_document.c ---- */
extern const char *const vpn_rd_kind_names[RD_KINDS];
extern const char *const vpn_rd_list_statuses[];
/* The format string of c's document ("vaultproof-snapshot/1" or "/2"), for messages. */
const char *vpn_rd_format_name(const rd_ctx *c);
/* The format named at the start of text when the document starts with its "format"
 * member, as the writer puts it; 2 (the current one) otherwise. */
int vpn_rd_detect_format(const char *text, size_t len);
size_t vpn_rd_kind_size(rd_kind k);
void vpn_rd_element_path(rd_kind k, size_t index, rd_path *arr, rd_path *at);
vp_status vpn_rd_element(rd_ctx *c, rd_kind k, const cJSON *obj);
vp_status vpn_rd_document(rd_ctx *c, const cJSON *root);
vp_status vpn_rd_check_counts(rd_ctx *c);

#endif
