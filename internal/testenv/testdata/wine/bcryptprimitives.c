/* Test-only stand-in for Windows' bcryptprimitives.dll under Wine 8.0, which
 * lacks it: Go >= 1.22 binaries call ProcessPrng at start. ProcessPrng fills
 * the buffer from RtlGenRandom (advapi32 SystemFunction036), as Windows'
 * own does from the system RNG. Never shipped: internal/testenv builds it
 * into each throwaway Wine prefix (WinePrefix). */
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T n)
{
    return RtlGenRandom(data, (ULONG)n);
}
