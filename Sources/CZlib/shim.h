#ifndef QUARRY_CZLIB_SHIM_H
#define QUARRY_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2 is a macro over deflateInit2_ that passes the library version and stream size.
static inline int quarry_deflate_init_gzip(z_streamp strm, int level) {
    // windowBits 15 + 16 asks zlib for a gzip header and trailer.
    return deflateInit2(strm, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
}
// A raw deflate stream (no header or trailer), as WebSocket permessage-deflate carries (RFC 7692).
static inline int quarry_deflate_init_raw(z_streamp strm, int level, int windowBits, int memLevel) {
    return deflateInit2(strm, level, Z_DEFLATED, -windowBits, memLevel, Z_DEFAULT_STRATEGY);
}
static inline int quarry_inflate_init_gzip(z_streamp strm) {
    return inflateInit2(strm, 15 + 16);
}
#endif
