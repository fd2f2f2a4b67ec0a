// The allocator libwebsockets uses (`lws_set_allocator`, set by the Server module before it creates its context):
// libc's for small blocks, and for blocks of 8 KiB and more a mapping of their own, returned to the system when lws
// frees it.
//
// Why: lws reads each request's headers into a 16 KiB buffer (`max_http_header_data`) that it frees once the
// headers are handled. Taken from the heap, a burst of handshakes (200 at once in the socket benchmark, every
// tab of a kiosk fleet reconnecting after a restart) leaves those buffers as holes between the connections' small,
// long-lived blocks, which glibc can neither give back nor reuse whole: about 1 KiB per socket at 1,000 idle sockets
// (docs/performance.md). A buffer in its own mapping is gone when freed.
//
// lws frees only what it allocated, through the same function (`lws_free` is `lws_realloc(p, 0)`), so every block
// can carry a 16-byte header saying how it was made.
#include "CShim.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { header_size = 16, mapped_from = 8 * 1024 };

struct block_header {
    size_t size;
    size_t mapped;
};

static void release(struct block_header *header) {
    if (header->mapped)
        munmap(header, header->size + header_size);
    else
        free(header);
}

static void *make(size_t size) {
    struct block_header *header;
    if (size >= mapped_from) {
        void *mapping = mmap(NULL, size + header_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapping == MAP_FAILED)
            return NULL;
        header = mapping;
        header->mapped = 1;
    } else {
        header = malloc(size + header_size);
        if (!header)
            return NULL;
        header->mapped = 0;
    }
    header->size = size;
    return (unsigned char *)header + header_size;
}

void *quarry_lws_realloc(void *pointer, size_t size, const char *reason) {
    (void)reason;
    struct block_header *old = pointer ? (struct block_header *)((unsigned char *)pointer - header_size) : NULL;
    if (size == 0) {
        if (old)
            release(old);
        return NULL;
    }
    if (old && !old->mapped && size < mapped_from) {
        struct block_header *grown = realloc(old, size + header_size);
        if (!grown)
            return NULL;
        grown->size = size;
        return (unsigned char *)grown + header_size;
    }
    void *fresh = make(size);
    if (fresh && old) {
        memcpy(fresh, pointer, old->size < size ? old->size : size);
        release(old);
    }
    return fresh;
}
