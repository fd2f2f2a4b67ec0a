#ifndef QUARRY_CWEBSOCKETS_SHIM_H
#define QUARRY_CWEBSOCKETS_SHIM_H
#include <libwebsockets.h>

// What Swift cannot import from libwebsockets: macros and constants spelled as expressions.

/// Bytes of headroom lws_write needs before the payload of a WebSocket frame.
static inline size_t quarry_lws_pre(void) { return LWS_PRE; }

/// LWS_SERVER_OPTION_VALIDATE_UTF8: close a socket whose text frames are not UTF-8 (1007).
static inline uint64_t quarry_lws_option_validate_utf8(void) { return LWS_SERVER_OPTION_VALIDATE_UTF8; }

/// LWS_SERVER_OPTION_DISABLE_IPV6: listen on IPv4 only (for 0.0.0.0).
static inline uint64_t quarry_lws_option_disable_ipv6(void) { return LWS_SERVER_OPTION_DISABLE_IPV6; }
#endif
