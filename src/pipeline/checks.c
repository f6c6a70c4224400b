/* The checks every caller of a stage gets, each written once. */
#include <ctype.h>
#include <string.h>

#include "vaultproof/pipeline.h"

/* The stricter of the two forms the CLI and vp_pack used to accept (render checked all
 * four year digits, pack only the first and last): the period names a directory of
 * the archive (snapshots/<period>/) and a ledger field, so nothing but YYYY-Qn may pass. */
vp_status vp_pipeline_check_period(const char *p, const char *command, vp_error *err)
{
    if (!p)
        return VP_OK;
    int ok = strlen(p) == 7 && p[4] == '-' && p[5] == 'Q' && p[6] >= '1' && p[6] <= '4';
    for (int i = 0; ok && i < 4; i++)
        ok = isdigit((unsigned char)p[i]) != 0;
    return ok ? VP_OK
              : vp_error_set(err, VP_ERR_USAGE, "%s: --period '%s': expected YYYY-Qn, e.g. 2026-Q3", command, p);
}

vp_status vp_pipeline_check_distinct(const char *a, const char *a_option, const char *b, const char *b_option,
                                     const char *command, vp_error *err)
{
    if (a && b && !strcmp(a, b))
        return vp_error_set(err, VP_ERR_USAGE, "%s: --%s and --%s name the same file", command, a_option, b_option);
    return VP_OK;
}
