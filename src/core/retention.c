#include <strings.h>

#include "vaultproof/retention.h"

int vp_retention_days(long long count, const char *unit, long long *days)
{
    *days = -1;
    if (!unit || count < 0 || count > 2147483647LL)
        return -1;
    if (strcasecmp(unit, "Days") == 0)
        *days = count;
    else if (strcasecmp(unit, "Weeks") == 0)
        *days = count * 7;
    else if (strcasecmp(unit, "Months") == 0)
        *days = count * 36525 / 1200;
    else if (strcasecmp(unit, "Years") == 0)
        *days = count * 36525 / 100;
    else
        return -1;
    return 0;
}
