#ifndef QUARRY_CSHIM_H
#define QUARRY_CSHIM_H
// The one C target: libcurl's curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic, so Swift
// cannot call them. One function per argument type; each takes the variadic function itself first, as the Curl
// module found it with dlsym (the binary does not link libcurl: Sources/Curl/LibCurl.swift). Beside them, the one
// thing Swift cannot be: a `recv` that libwebsockets calls in place of libc's, which refuses unmasked WebSocket
// frames (websocket_mask.c). And glibc's heap figures (heap.c).
#include <curl/curl.h>
// epoll and eventfd, which Swift's Glibc module does not bring in; the curl multi driver watches sockets with them.
#include <sys/epoll.h>
#include <sys/eventfd.h>

CURLcode quarry_curl_setopt_long(void *setopt, CURL *handle, CURLoption option, long value);
CURLcode quarry_curl_setopt_off(void *setopt, CURL *handle, CURLoption option, curl_off_t value);
CURLcode quarry_curl_setopt_string(void *setopt, CURL *handle, CURLoption option, const char *value);
CURLcode quarry_curl_setopt_pointer(void *setopt, CURL *handle, CURLoption option, void *value);
CURLcode quarry_curl_setopt_slist(void *setopt, CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode quarry_curl_setopt_write_function(void *setopt, CURL *handle, CURLoption option, curl_write_callback callback);
CURLcode quarry_curl_setopt_xferinfo_function(void *setopt, CURL *handle, curl_xferinfo_callback callback);

CURLcode quarry_curl_getinfo_long(void *getinfo, CURL *handle, CURLINFO info, long *value);
CURLcode quarry_curl_getinfo_string(void *getinfo, CURL *handle, CURLINFO info, char **value);
CURLcode quarry_curl_getinfo_pointer(void *getinfo, CURL *handle, CURLINFO info, void **value);

CURLMcode quarry_curl_multi_setopt_long(void *setopt, CURLM *multi, CURLMoption option, long value);
CURLMcode quarry_curl_multi_setopt_pointer(void *setopt, CURLM *multi, CURLMoption option, void *value);
CURLMcode quarry_curl_multi_setopt_socket_function(void *setopt, CURLM *multi, curl_socket_callback callback);
CURLMcode quarry_curl_multi_setopt_timer_function(void *setopt, CURLM *multi, curl_multi_timer_callback callback);

/// libwebsockets' allocator (for `lws_set_allocator`): blocks of 8 KiB and more, such as each request's header
/// buffer, get a mapping of their own, so that freeing them gives the memory back (lws_allocator.c).
void *quarry_lws_realloc(void *pointer, size_t size, const char *reason);

/// Starts following the WebSocket frames read from `fd` (a server socket whose handshake just completed, before any
/// frame was read): from now on a frame without the mask bit makes every `recv` on it fail with ECONNRESET.
/// -1 if `fd` cannot be followed. Call on the thread that reads `fd`.
int quarry_ws_mask_watch(int fd);
/// Stops following `fd` (before it is closed); 1 if an unmasked frame had come on it.
int quarry_ws_mask_unwatch(int fd);

/// Bytes of heap allocated by malloc and not yet freed: small blocks in use plus blocks mapped on their own
/// (glibc's mallinfo2; heap.c).
size_t quarry_heap_in_use(void);
#endif
