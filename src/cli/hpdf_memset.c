/* The program's HPDF_MemSet, in place of libharu's.
 *
 * libharu clears a 512-byte buffer with HPDF_MemSet, a byte loop, in every page operator
 * it writes: 2 % of a 100k-item pack's CPU (0.9 s, perf), on the report's thread. libharu
 * calls it through its PLT, so a definition in the program, with the prototype of
 * libharu's header and the same result (s + n), is the one it binds to; the bytes it
 * writes are the same. It lives here, in the program, and not in the library: the
 * library is installed, and must not replace a function in its callers' programs
 * (tests/integration/test_module_order.py). Should a libharu build bind the function
 * internally, its own loop runs again: correct, only slower. */
#include <hpdf_utils.h>
#include <string.h>

void *HPDF_MemSet(void *s, HPDF_BYTE c, HPDF_UINT n)
{
    memset(s, c, n);
    return (HPDF_BYTE *)s + n;
}
