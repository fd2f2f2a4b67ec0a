// The heap in use, for /metrics (Sources/quarry/ProcessMetrics.swift): glibc's malloc.h, which Swift's Glibc module
// does not bring in.
#include <malloc.h>
#include "CShim.h"

size_t quarry_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}
