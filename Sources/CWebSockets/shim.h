#ifndef QUARRY_CWEBSOCKETS_SHIM_H
#define QUARRY_CWEBSOCKETS_SHIM_H
#include <libwebsockets.h>
#include <string.h>
#include <zlib.h>

// What Swift cannot import from libwebsockets: macros and constants spelled as expressions, and one check that
// reads a C library's private state (lws' permessage-deflate inflater, a zlib stream; `inflateInit2` is a macro).

/// Bytes of headroom lws_write needs before the payload of a WebSocket frame.
static inline size_t quarry_lws_pre(void) { return LWS_PRE; }

/// LWS_SERVER_OPTION_VALIDATE_UTF8: close a socket whose text frames are not UTF-8 (1007).
static inline uint64_t quarry_lws_option_validate_utf8(void) { return LWS_SERVER_OPTION_VALIDATE_UTF8; }

/// LWS_SERVER_OPTION_DISABLE_IPV6: listen on IPv4 only (for 0.0.0.0).
static inline uint64_t quarry_lws_option_disable_ipv6(void) { return LWS_SERVER_OPTION_DISABLE_IPV6; }

/// What libwebsockets 4.1.6 hands its permessage-deflate extension with LWS_EXT_CB_PAYLOAD_RX (its private
/// `struct lws_ext_pm_deflate_rx_ebufs`): the frame payload to inflate, and where the inflated piece goes.
struct quarry_pmd_rx_buffers {
    struct lws_tokens in;
    struct lws_tokens out;
};

/// Whether lws_extension_callback_pm_deflate (4.1.6) would abort the process on this LWS_EXT_CB_PAYLOAD_RX.
///
/// It inflates a frame's payload `piece` bytes at a time (one call, then one "drain" call per further piece). In
/// the call where the input of the message's last frame runs out, it appends the 00 00 FF FF trailer the sender
/// stripped, gives zlib 5 more bytes of room for it and then `assert(priv->rx.avail_out)`. zlib still owes output
/// at that point when the input ended inside a back-reference (a match of up to 258 bytes) just as the piece
/// filled: the trailer's 5 bytes fill with the rest of the match, and the assert fails (Debian builds lws with
/// assertions). A stream cut right after a match does that in three bytes; a dynamic-Huffman block with a short
/// end-of-block code can do it too.
///
/// This replays, on a copy of the extension's inflater, what lws will do with this call's input and the drain
/// calls after it, and answers 1 when the assert would fail (or when the copy cannot be made). Only a call that
/// brings input (`in.len > 0`) in the message's last frame (`final_frame`: FIN set and the frame's payload all
/// read) can lead there; the drain calls after it are part of the same replay. `priv` is the extension's private
/// state, whose first member is its inflater (`z_stream rx`; zeroed, so `state` is NULL, until first used).
/// `piece` is 1 << its `rx_buf_size` (at most 1024, which the options lws takes from us are held to);
/// `compressed_frame`, whether this frame has RSV1 (a continuation of a compressed message has not, but its
/// inflater is then started).
static inline int quarry_pmd_rx_would_assert(void *priv, void *in, size_t piece, int final_frame,
                                             int compressed_frame) {
    z_stream *rx = (z_stream *)priv;
    struct quarry_pmd_rx_buffers *buffers = (struct quarry_pmd_rx_buffers *)in;
    static unsigned char trail[] = { 0, 0, 0xff, 0xff };
    unsigned char out[1024 + 5];
    z_stream probe;
    int verdict = 0, n;

    if (!rx || !buffers || !final_frame || !buffers->in.token || buffers->in.len <= 0)
        return 0;
    /* Not compressed (RSV1 clear) and no message under way: lws leaves the payload as it is. */
    if (!rx->state && !compressed_frame)
        return 0;
    if (piece > 1024)
        return 1;
    memset(&probe, 0, sizeof(probe));
    /* lws starts an inflater with the agreed window; 15 bits decode the same until a smaller one fails. */
    if (rx->state ? inflateCopy(&probe, rx) != Z_OK : inflateInit2(&probe, -15) != Z_OK)
        return 1;
    if (!probe.avail_in) {
        probe.next_in = buffers->in.token;
        probe.avail_in = (uInt)buffers->in.len;
    }
    while (probe.avail_in) {
        uInt before = probe.avail_in;
        probe.next_out = out;
        probe.avail_out = (uInt)piece;
        n = inflate(&probe, Z_NO_FLUSH);
        if (n == Z_NEED_DICT || n == Z_STREAM_ERROR || n == Z_DATA_ERROR || n == Z_MEM_ERROR)
            break; /* lws fails the connection itself */
        if (!probe.avail_in) {
            probe.avail_out += 5;
            probe.next_in = trail;
            probe.avail_in = sizeof(trail);
            n = inflate(&probe, Z_SYNC_FLUSH);
            if (n != Z_NEED_DICT && n != Z_STREAM_ERROR && n != Z_DATA_ERROR && n != Z_MEM_ERROR)
                verdict = !probe.avail_out;
            break;
        }
        if (probe.avail_out == piece && probe.avail_in == before)
            break; /* no progress (past the end of the stream): lws stops draining */
    }
    inflateEnd(&probe);
    return verdict;
}
#endif
