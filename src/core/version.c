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
