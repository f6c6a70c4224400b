#include "buildinfo.h"
#include "vaultproof/version.h"

const char *vp_version(void)
{
    return VP_VERSION_STRING;
}

const char *vp_commit(void)
{
    return VP_GIT_COMMIT;
}

void vp_jw_tool(vp_jsonw *w, vp_jw_style style, const char *version, const char *commit)
{
    vp_jw_key(w, "tool");
    vp_jw_object(w, style);
    vp_jw_kstring(w, "name", "vaultproof");
    vp_jw_kstring(w, "version", version);
    vp_jw_kstring(w, "commit", commit);
    vp_jw_end(w);
}
