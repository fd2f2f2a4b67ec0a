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

/// The payload of a LWS_EXT_CB_PAYLOAD_RX call (`in`); NULL when it brings none (a drain call).
static inline unsigned char *quarry_pmd_rx_payload(void *in, int *length) {
    struct quarry_pmd_rx_buffers *buffers = (struct quarry_pmd_rx_buffers *)in;
    if (!buffers || !buffers->in.token || buffers->in.len <= 0)
        return NULL;
    *length = buffers->in.len;
    return buffers->in.token;
}

/// Makes the extension take `bytes` as the call's payload instead; they must stay until it has inflated them.
static inline void quarry_pmd_rx_set_payload(void *in, unsigned char *bytes, int length) {
    struct quarry_pmd_rx_buffers *buffers = (struct quarry_pmd_rx_buffers *)in;
    buffers->in.token = bytes;
    buffers->in.len = length;
}

/// The extension's inflater: the first member of its private state (`z_stream rx`, zeroed until first used).
static inline z_stream *quarry_pmd_rx_inflater(void *priv) { return (z_stream *)priv; }

/// Whether the extension's inflater has been started (for a message under way, or kept between messages).
static inline int quarry_pmd_rx_started(void *priv) { return priv && quarry_pmd_rx_inflater(priv)->state; }

/// How many bytes of input the extension's inflater still holds from an earlier call (it then ignores a call's
/// payload and goes on with them).
static inline size_t quarry_pmd_rx_held_input(void *priv) { return priv ? quarry_pmd_rx_inflater(priv)->avail_in : 0; }

/// Whether the input the inflater holds lies within `count` bytes at `start`.
static inline int quarry_pmd_rx_input_within(void *priv, const unsigned char *start, size_t count) {
    z_stream *rx = quarry_pmd_rx_inflater(priv);
    return rx && rx->next_in >= start && rx->next_in + rx->avail_in <= start + count;
}

/// Copies the input the inflater holds to `to` (room for all of it) and makes the inflater read it from there.
///
/// lws 4.1.6 reads every connection into one buffer per service thread (`pt->serv_buf`), hands the payload to the
/// extension from there and, when zlib has not used all of it (its output piece filled), leaves the inflater
/// pointing into that buffer until a later service pass drains it; a read for another connection meanwhile
/// overwrites it, and the message is inflated from that connection's bytes.
static inline void quarry_pmd_rx_move_input(void *priv, unsigned char *to) {
    z_stream *rx = quarry_pmd_rx_inflater(priv);
    memcpy(to, rx->next_in, rx->avail_in);
    rx->next_in = to;
}

/// Whether lws_extension_callback_pm_deflate (4.1.6) would abort the process if the call that brings the payload
/// of a message's last frame brought `input`.
///
/// It inflates `piece` bytes at a time: one call, then one "drain" call per further piece. In the call where the
/// input runs out, it appends the 00 00 FF FF the sender stripped, gives zlib 5 more bytes of room for it and then
/// `assert(priv->rx.avail_out)` (extension-permessage-deflate.c:351). zlib still owes output at that point when it
/// read the last input byte for the back-reference (a match of up to 258 bytes) that was being copied as the piece
/// filled: the 5 bytes fill with the rest of the match, and the assert fails (Debian builds lws with assertions).
/// A stream cut right after a match does that in three bytes; an ordinary zlib message does it when its end-of-block
/// code and the flush's block header fit in the byte that ends its last match (about one in 3,000 repetitive
/// messages of a few hundred bytes).
///
/// This replays lws' calls on a copy of the extension's inflater (`priv`) and answers 1 when the assert would
/// fail, or when no copy can be made; with `whole`, also unless the message then ends cleanly: lws' tail read to
/// its end, and the inflater between blocks (zlib's `data_type` & 128). `piece` is 1 << the extension's `rx_buf_size`, at most 1024 (which the
/// options lws takes from us are held to).
static inline int quarry_pmd_rx_would_assert(void *priv, unsigned char *input, int length, size_t piece,
                                             int whole) {
    z_stream *rx = quarry_pmd_rx_inflater(priv);
    static unsigned char trail[] = { 0, 0, 0xff, 0xff };
    unsigned char out[1024 + 5];
    z_stream probe;
    int verdict = 0, n;

    if (!rx || piece > 1024)
        return 1;
    memset(&probe, 0, sizeof(probe));
    /* lws starts an inflater with the agreed window; 15 bits decode the same until a smaller one fails. */
    if (rx->state ? inflateCopy(&probe, rx) != Z_OK : inflateInit2(&probe, -15) != Z_OK)
        return 1;
    if (!probe.avail_in && input && length > 0) {
        probe.next_in = input;
        probe.avail_in = (uInt)length;
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
            if (n == Z_NEED_DICT || n == Z_STREAM_ERROR || n == Z_DATA_ERROR || n == Z_MEM_ERROR)
                break;
            verdict = !probe.avail_out || (whole && (probe.avail_in || !(probe.data_type & 128)));
            whole = 0;
            break;
        }
        if (probe.avail_out == piece && probe.avail_in == before)
            break; /* no progress (past the end of the stream): lws stops draining */
    }
    inflateEnd(&probe);
    return verdict || whole;
}
#endif
