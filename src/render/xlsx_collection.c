/* How the data was collected: every expected list call and its completeness
 * (Collection), every raw file read with its SHA-256 (Raw Files), and the collector's
 * warnings (Warnings). These are what a completeness test starts from. */
#include <stdio.h>
#include <string.h>

#include "render/xlsx_internal.h"

enum { L_OPERATION, L_SCOPE, L_VAULT, L_STATUS, L_PAGES, L_DETAIL, L_POINTER, L_NCOLS };

static const xlsx_col list_cols[L_NCOLS] = {
    [L_OPERATION] = {"Operation", XC_TEXT, 0},
    [L_SCOPE] = {"Scope", XC_ID, 0},
    [L_VAULT] = {"Vault", XC_TEXT, 0},
    [L_STATUS] = {"Completeness", XC_TEXT, XP_LIST},
    [L_PAGES] = {"Pages", XC_NUM, 0},
    [L_DETAIL] = {"Detail", XC_TEXT, 0},
    [L_POINTER] = {"Snapshot pointer", XC_ID, 0},
};

static void write_lists(xlsx_ctx *x)
{
    const vp_snapshot *s = x->in->snapshot;
    const vp_collection *c = &s->collection;
    char pointer[48];
    xlsx_pop p;
    if (vpr_xlsx_pop_begin(&p, x, "Collection", list_cols, NULL, L_NCOLS, c->list_count))
        return;
    for (size_t i = 0; i < c->list_count && !vpr_xlsx_pop_row(&p); i++) {
        const vp_list_call *l = &c->lists[i];
        const vp_vault *v = vp_snapshot_find_vault(s, l->scope);
        vpr_xlsx_text(&p, L_OPERATION, l->operation);
        vpr_xlsx_text(&p, L_SCOPE, l->scope);
        vpr_xlsx_text(&p, L_VAULT, v ? v->name : NULL);
        vpr_xlsx_text(&p, L_STATUS, vp_list_status_name(l->status));
        vpr_xlsx_num(&p, L_PAGES, l->pages);
        vpr_xlsx_text(&p, L_DETAIL, l->detail);
        snprintf(pointer, sizeof pointer, "/collection/lists/%zu", i);
        vpr_xlsx_text(&p, L_POINTER, pointer);
    }
    vpr_xlsx_pop_end(&p);
}

enum { RF_PATH, RF_ROLE, RF_BYTES, RF_SHA, RF_NCOLS };

static const xlsx_col file_cols[RF_NCOLS] = {
    [RF_PATH] = {"File", XC_ID, 0},
    [RF_ROLE] = {"Role", XC_TEXT, 0},
    [RF_BYTES] = {"Bytes", XC_NUM, 0},
    [RF_SHA] = {"SHA-256", XC_ID, 0},
};

static void write_files(xlsx_ctx *x)
{
    const vp_collection *c = &x->in->snapshot->collection;
    xlsx_pop p;
    if (vpr_xlsx_pop_begin(&p, x, "Raw Files", file_cols, NULL, RF_NCOLS, c->file_count))
        return;
    for (size_t i = 0; i < c->file_count && !vpr_xlsx_pop_row(&p); i++) {
        vpr_xlsx_text(&p, RF_PATH, c->files[i].path);
        vpr_xlsx_text(&p, RF_ROLE, c->files[i].role);
        vpr_xlsx_num(&p, RF_BYTES, (double)c->files[i].bytes);
        vpr_xlsx_text(&p, RF_SHA, c->files[i].sha256);
    }
    vpr_xlsx_pop_end(&p);
}

enum { W_CODE, W_FILE, W_POINTER, W_MESSAGE, W_NCOLS };

static const xlsx_col warning_cols[W_NCOLS] = {
    [W_CODE] = {"Code", XC_TEXT, 0},
    [W_FILE] = {"File", XC_ID, 0},
    [W_POINTER] = {"Pointer", XC_ID, 0},
    [W_MESSAGE] = {"Message", XC_TEXT, 0},
};

static void write_warnings(xlsx_ctx *x)
{
    const vp_collection *c = &x->in->snapshot->collection;
    xlsx_pop p;
    if (vpr_xlsx_pop_begin(&p, x, "Warnings", warning_cols, NULL, W_NCOLS, c->warning_count))
        return;
    for (size_t i = 0; i < c->warning_count && !vpr_xlsx_pop_row(&p); i++) {
        vpr_xlsx_text(&p, W_CODE, c->warnings[i].code);
        vpr_xlsx_text(&p, W_FILE, c->warnings[i].file);
        vpr_xlsx_text(&p, W_POINTER, c->warnings[i].pointer);
        vpr_xlsx_text(&p, W_MESSAGE, c->warnings[i].message);
    }
    vpr_xlsx_pop_end(&p);
}

void vpr_xlsx_write_collection(xlsx_ctx *x)
{
    write_lists(x);
    write_files(x);
    write_warnings(x);
}
