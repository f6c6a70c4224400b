/* The "archive" object of the config: where pack uploads bundles and the ledger
 * (docs/archive-storage.md). The URL itself is parsed where it is used (blob module,
 * which comes later in the module order); here its form is checked loosely. */
#include <string.h>

#include "config/internal.h"

static const char *const archive_keys[] = {"url", "sas_env", "storage_account_id", "require_worm"};
#define ARCHIVE_KEY_COUNT (sizeof archive_keys / sizeof archive_keys[0])

vp_status vpf_config_parse_archive(vp_config *c, vp_jreader *r)
{
    const cJSON *a = NULL;
    vp_archive_settings *s = &c->archive;
    if (vp_jr_object(r, c->root, "", "archive", &a) != VP_PRESENT)
        return r->status;
    for (const cJSON *k = a->child; k; k = k->next) {
        size_t i = 0;
        while (i < ARCHIVE_KEY_COUNT && strcmp(archive_keys[i], k->string))
            i++;
        if (i == ARCHIVE_KEY_COUNT)
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: /archive/%s: unknown key; expected url, sas_env, "
                                "storage_account_id or require_worm", r->file, k->string);
    }
    s->url = vp_jr_req_nonempty(r, a, "/archive", "url");
    vp_jr_string(r, a, "/archive", "sas_env", &s->sas_env);
    vp_jr_string(r, a, "/archive", "storage_account_id", &s->storage_account_id);
    vp_jr_bool(r, a, "/archive", "require_worm", &s->require_worm);
    if (r->status)
        return r->status;
    if (strncmp(s->url, "https://", 8) || strpbrk(s->url, "?#"))
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: /archive/url: '%s'; expected https://<account>.blob.core."
                            "windows.net/<container>/<prefix> without a query (a SAS goes in the environment "
                            "variable named by /archive/sas_env)", r->file, s->url);
    if (s->sas_env && (!*s->sas_env || strpbrk(s->sas_env, "= ")))
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: /archive/sas_env: '%s'; expected the name of an environment "
                            "variable", r->file, s->sas_env);
    if (s->storage_account_id && strncmp(s->storage_account_id, "/subscriptions/", 15))
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: /archive/storage_account_id: '%s'; expected /subscriptions/"
                            "<id>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<name>", r->file,
                            s->storage_account_id);
    return VP_OK;
}

const vp_archive_settings *vp_config_archive(const vp_config *c)
{
    return &c->archive;
}
