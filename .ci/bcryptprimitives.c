/*
 * Debian's Wine 8 has no bcryptprimitives.dll, whose ProcessPrng Rust's std
 * calls at start-up, so every Rust .exe fails to load under it. This tiny DLL
 * exports ProcessPrng by calling advapi32's SystemFunction036 (RtlGenRandom),
 * which Wine does implement. Built and installed by .ci/run for the Windows
 * test run only; never shipped.
 */
#include <windows.h>
typedef BOOLEAN (WINAPI *RtlGenRandomFn)(PVOID, ULONG);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    static RtlGenRandomFn gen;
    if (!gen) {
        HMODULE h = LoadLibraryA("advapi32.dll");
        if (!h) return FALSE;
        gen = (RtlGenRandomFn)GetProcAddress(h, "SystemFunction036");
        if (!gen) return FALSE;
    }
    while (len > 0) {
        ULONG chunk = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
        if (!gen(data, chunk)) return FALSE;
        data += chunk; len -= chunk;
    }
    return TRUE;
}
