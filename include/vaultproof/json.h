/*
 * vaultproof/json.h - strict JSON input and path-aware typed access.
 *
 * Input from Azure, from users' exports and from bundles is untrusted. vp_json_parse()
 * accepts only well-formed UTF-8 JSON with bounded nesting and string length and no
 * duplicate object keys, and reports any violation as VP_ERR_INPUT with the file label,
 * line, column and JSON pointer. The typed getters (vp_jr_*) read one member each and
 * treat "absent" and JSON null as "not reported", never as a default value.
 */
#ifndef VAULTPROOF_JSON_H
#define VAULTPROOF_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "vaultproof/error.h"
#include "vaultproof/presence.h"

#define VP_JSON_MAX_DEPTH 128           /* deeper documents are rejected */
#define VP_JSON_MAX_STRING (1u << 20)   /* longest string token accepted, in bytes */

/* Parses len bytes of data (label names the source in messages, e.g. the file path).
 * On success *out owns a cJSON tree the caller frees with cJSON_Delete(). */
vp_status vp_json_parse(const char *label, const char *data, size_t len, cJSON **out, vp_error *err);

/* A pool that parse trees can live in: allocation is a pointer bump and the whole
 * tree goes at once with vp_json_pool_reset(). Parsing hundreds of megabytes of ARM
 * responses is otherwise dominated by malloc/free of cJSON's small nodes. A pool is
 * used by one thread at a time. */
typedef struct vp_json_pool vp_json_pool;
vp_json_pool *vp_json_pool_new(void);          /* NULL when out of memory */
void vp_json_pool_reset(vp_json_pool *pool);   /* ends every tree parsed into it */
void vp_json_pool_free(vp_json_pool *pool);    /* NULL is allowed */

/* As vp_json_parse, but the tree lives in pool: never cJSON_Delete() it; reset or
 * free the pool when done. */
vp_status vp_json_parse_pooled(const char *label, const char *data, size_t len, vp_json_pool *pool, cJSON **out,
                               vp_error *err);

/* Reads and parses a whole file. */
vp_status vp_json_parse_file(const char *path, cJSON **out, vp_error *err);

/* Appends "/" + key to the RFC 6901 pointer in buf (escaping '~' and '/'); the result
 * is cut at size. Returns buf. */
char *vp_json_pointer_join(char *buf, size_t size, const char *base, const char *key);
/* Appends "/" + index. */
char *vp_json_pointer_index(char *buf, size_t size, const char *base, int index);

/* A reader carries the file label and the first error met; after an error every
 * vp_jr_* call returns VP_ABSENT without looking, so a normalizer can read many fields
 * and check r->status once. */
typedef struct {
    const char *file;
    vp_error *err;
    vp_status status;
    const cJSON *last_object, *last_member; /* lookup cursor; start both NULL */
} vp_jreader;

/* Each getter looks up key in obj (obj at pointer base). Absent or null: returns
 * VP_ABSENT / VP_NULL and leaves *out untouched. Wrong type or value out of range:
 * records VP_ERR_INPUT naming file, pointer and the expected type. */
vp_presence vp_jr_string(vp_jreader *r, const cJSON *obj, const char *base, const char *key, const char **out);
vp_presence vp_jr_int(vp_jreader *r, const cJSON *obj, const char *base, const char *key,
                      long long min, long long max, long long *out);
vp_presence vp_jr_bool(vp_jreader *r, const cJSON *obj, const char *base, const char *key, int *out);
vp_presence vp_jr_object(vp_jreader *r, const cJSON *obj, const char *base, const char *key, const cJSON **out);
vp_presence vp_jr_array(vp_jreader *r, const cJSON *obj, const char *base, const char *key, const cJSON **out);

/* Required members. As the getters above, but an absent or null member is an error too,
 * recorded as VP_ERR_INPUT "<file>: <pointer>: expected <what>, found nothing" (or
 * "found null"); a member of the wrong type is reported as by the getters above. Each
 * returns the value, or NULL after recording the error (or after an earlier error: then
 * nothing is looked at). The strings and nodes belong to obj's tree. */
const char *vp_jr_req_string(vp_jreader *r, const cJSON *obj, const char *base, const char *key);
/* As vp_jr_req_string, and "" is an error too: "expected a non-empty string, found a string".
 * Absent or null is reported as "expected a non-empty string". */
const char *vp_jr_req_nonempty(vp_jreader *r, const cJSON *obj, const char *base, const char *key);
int vp_jr_req_bool(vp_jreader *r, const cJSON *obj, const char *base, const char *key); /* 0 after an error */
const cJSON *vp_jr_req_object(vp_jreader *r, const cJSON *obj, const char *base, const char *key);
const cJSON *vp_jr_req_array(vp_jreader *r, const cJSON *obj, const char *base, const char *key);
/* Returns VP_OK and sets *out, or VP_ERR_INPUT ("expected an integer" when absent or null;
 * the range message of vp_jr_int when out of [min, max]). */
vp_status vp_jr_req_int(vp_jreader *r, const cJSON *obj, const char *base, const char *key, long long min,
                        long long max, long long *out);

/* Records a type error for the value at pointer; used by callers that inspect values
 * themselves. Returns VP_ERR_INPUT. */
vp_status vp_jr_fail(vp_jreader *r, const char *pointer, const char *expected, const cJSON *found);

/* "a string", "a number", ... for messages. */
const char *vp_json_type_name(const cJSON *item);

#endif
