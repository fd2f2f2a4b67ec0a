// RFC 6455 §5.1: "The server MUST close the connection upon receiving a frame that is not masked."
// libwebsockets 4.1.6 reads the mask bit and never checks it, and tells no callback, so the bytes are looked at
// before it gets them: this file defines `recv`, which the executable then exports in place of libc's (lws calls
// `recv(fd, buf, len, 0)` for every read of a plain-TCP connection, output.c). For a socket the server marked
// with `quarry_ws_mask_watch` once its WebSocket opened, the frame headers in what is read are followed from one
// read to the next, and the first frame without the mask bit makes this and every later read fail with
// ECONNRESET: lws closes the connection, having seen nothing of that frame's payload. Every other call goes
// straight to the `recv` that comes after this one (libc's, or a sanitizer's interceptor).
//
// Threading: a watched socket is read, watched and unwatched only on libwebsockets' service thread, so its entry's
// scanning state needs no lock; other threads only look at whether their own (never watched) socket is watched.
// An entry is unwatched when lws reports the socket closed (before it closes the descriptor), so a number that a
// curl or SQLite thread gets for a new descriptor is never a watched one.
#undef _FORTIFY_SOURCE
#define _GNU_SOURCE
#include "CShim.h"
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

enum frame_part { FIRST_BYTE, LENGTH_BYTE, EXTENDED_LENGTH, MASKING_KEY, PAYLOAD };

struct watched_socket {
    atomic_uchar watched;
    unsigned char part;   /* enum frame_part: what the next byte read is */
    unsigned char failed; /* an unmasked frame came: every read fails */
    unsigned char need;   /* bytes still to come of the extended length or the masking key */
    uint64_t remaining;   /* payload bytes still to come of the current frame */
};

typedef ssize_t (*recv_function)(int, void *, size_t, int);

static _Atomic(struct watched_socket *) sockets;
static size_t socket_count;
static recv_function next_recv;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static ssize_t recv_by_syscall(int fd, void *buf, size_t len, int flags) {
    return syscall(SYS_recvfrom, fd, buf, len, flags, NULL, NULL);
}

static void find_next_recv(void) {
    /* A sanitizer linked into the executable (ThreadSanitizer here) defines `recv` as a weak alias of its
       interceptor, which this definition replaces: call the interceptor, so that it still sees every read. */
    recv_function found = (recv_function)dlsym(RTLD_DEFAULT, "__interceptor_recv");
    if (!found)
        found = (recv_function)dlsym(RTLD_NEXT, "recv");
    next_recv = found ? found : recv_by_syscall;
}

static struct watched_socket *entry(int fd) {
    struct watched_socket *table = atomic_load_explicit(&sockets, memory_order_acquire);
    if (!table || fd < 0 || (size_t)fd >= socket_count)
        return NULL;
    return &table[fd];
}

static void make_table(void) {
    struct rlimit limit;
    size_t count = 65536;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < (1u << 20))
        count = limit.rlim_cur > count ? (size_t)limit.rlim_cur : count;
    /* calloc: pages of the table are only touched for descriptors that are watched. */
    struct watched_socket *table = calloc(count, sizeof(*table));
    if (!table)
        return;
    socket_count = count;
    atomic_store_explicit(&sockets, table, memory_order_release);
}

static pthread_once_t table_once = PTHREAD_ONCE_INIT;

int quarry_ws_mask_watch(int fd) {
    pthread_once(&table_once, make_table);
    struct watched_socket *socket = entry(fd);
    if (!socket)
        return -1;
    socket->part = FIRST_BYTE;
    socket->failed = 0;
    socket->need = 0;
    socket->remaining = 0;
    atomic_store_explicit(&socket->watched, 1, memory_order_relaxed);
    return 0;
}

int quarry_ws_mask_unwatch(int fd) {
    struct watched_socket *socket = entry(fd);
    if (!socket || !atomic_load_explicit(&socket->watched, memory_order_relaxed))
        return 0;
    atomic_store_explicit(&socket->watched, 0, memory_order_relaxed);
    return socket->failed;
}

/* Follows the frame headers in `bytes`; 0 when every frame header in them has the mask bit. */
static int unmasked_frame_in(struct watched_socket *socket, const unsigned char *bytes, size_t count) {
    size_t i = 0;
    while (i < count) {
        switch (socket->part) {
        case PAYLOAD: {
            size_t left = count - i;
            size_t take = socket->remaining < left ? (size_t)socket->remaining : left;
            i += take;
            socket->remaining -= take;
            if (!socket->remaining)
                socket->part = FIRST_BYTE;
            break;
        }
        case FIRST_BYTE:
            i++;
            socket->part = LENGTH_BYTE;
            break;
        case LENGTH_BYTE: {
            unsigned char byte = bytes[i++];
            if (!(byte & 0x80))
                return 1;
            byte &= 0x7f;
            socket->remaining = byte < 126 ? byte : 0;
            socket->need = byte == 126 ? 2 : byte == 127 ? 8 : 4;
            socket->part = byte < 126 ? MASKING_KEY : EXTENDED_LENGTH;
            break;
        }
        case EXTENDED_LENGTH:
            socket->remaining = (socket->remaining << 8) | bytes[i++];
            if (!--socket->need) {
                socket->need = 4;
                socket->part = MASKING_KEY;
            }
            break;
        case MASKING_KEY:
            i++;
            if (!--socket->need)
                socket->part = socket->remaining ? PAYLOAD : FIRST_BYTE;
            break;
        }
    }
    return 0;
}

ssize_t recv(int fd, void *buf, size_t len, int flags) {
    pthread_once(&once, find_next_recv);
    struct watched_socket *socket = entry(fd);
    if (!socket || !atomic_load_explicit(&socket->watched, memory_order_relaxed) || (flags & MSG_PEEK))
        return next_recv(fd, buf, len, flags);
    if (socket->failed) {
        errno = ECONNRESET;
        return -1;
    }
    ssize_t n = next_recv(fd, buf, len, flags);
    if (n > 0 && unmasked_frame_in(socket, buf, (size_t)n)) {
        socket->failed = 1;
        errno = ECONNRESET;
        return -1;
    }
    return n;
}
