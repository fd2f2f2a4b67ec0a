#ifndef QUARRY_CSHIM_H
#define QUARRY_CSHIM_H
// The one C target: libcurl's curl_easy_setopt and curl_easy_getinfo are variadic, so Swift cannot call them.
// One function per argument type. Beside them, the one thing Swift cannot be: a `recv` that libwebsockets calls in
// place of libc's, which refuses unmasked WebSocket frames (websocket_mask.c).
#include <curl/curl.h>
// epoll and eventfd, which Swift's Glibc module does not bring in; the curl multi driver watches sockets with them.
#include <sys/epoll.h>
#include <sys/eventfd.h>

CURLcode quarry_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode quarry_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode quarry_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode quarry_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode quarry_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode quarry_curl_setopt_write_function(CURL *handle, CURLoption option, curl_write_callback callback);
CURLcode quarry_curl_setopt_xferinfo_function(CURL *handle, curl_xferinfo_callback callback);

CURLcode quarry_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode quarry_curl_getinfo_string(CURL *handle, CURLINFO info, char **value);
CURLcode quarry_curl_getinfo_pointer(CURL *handle, CURLINFO info, void **value);

CURLMcode quarry_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
CURLMcode quarry_curl_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value);
CURLMcode quarry_curl_multi_setopt_socket_function(CURLM *multi, curl_socket_callback callback);
CURLMcode quarry_curl_multi_setopt_timer_function(CURLM *multi, curl_multi_timer_callback callback);

/// Starts following the WebSocket frames read from `fd` (a server socket whose handshake just completed, before any
/// frame was read): from now on a frame without the mask bit makes every `recv` on it fail with ECONNRESET.
/// -1 if `fd` cannot be followed. Call on the thread that reads `fd`.
int quarry_ws_mask_watch(int fd);
/// Stops following `fd` (before it is closed); 1 if an unmasked frame had come on it.
int quarry_ws_mask_unwatch(int fd);
#endif
