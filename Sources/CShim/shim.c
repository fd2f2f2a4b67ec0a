#include "CShim.h"

typedef CURLcode (*easy_setopt_function)(CURL *, CURLoption, ...);
typedef CURLcode (*easy_getinfo_function)(CURL *, CURLINFO, ...);
typedef CURLMcode (*multi_setopt_function)(CURLM *, CURLMoption, ...);

CURLcode quarry_curl_setopt_long(void *setopt, CURL *handle, CURLoption option, long value) {
    return ((easy_setopt_function)setopt)(handle, option, value);
}
CURLcode quarry_curl_setopt_off(void *setopt, CURL *handle, CURLoption option, curl_off_t value) {
    return ((easy_setopt_function)setopt)(handle, option, value);
}
CURLcode quarry_curl_setopt_string(void *setopt, CURL *handle, CURLoption option, const char *value) {
    return ((easy_setopt_function)setopt)(handle, option, value);
}
CURLcode quarry_curl_setopt_pointer(void *setopt, CURL *handle, CURLoption option, void *value) {
    return ((easy_setopt_function)setopt)(handle, option, value);
}
CURLcode quarry_curl_setopt_slist(void *setopt, CURL *handle, CURLoption option, struct curl_slist *value) {
    return ((easy_setopt_function)setopt)(handle, option, value);
}
CURLcode quarry_curl_setopt_write_function(void *setopt, CURL *handle, CURLoption option, curl_write_callback callback) {
    return ((easy_setopt_function)setopt)(handle, option, callback);
}
CURLcode quarry_curl_setopt_xferinfo_function(void *setopt, CURL *handle, curl_xferinfo_callback callback) {
    return ((easy_setopt_function)setopt)(handle, CURLOPT_XFERINFOFUNCTION, callback);
}
CURLcode quarry_curl_getinfo_long(void *getinfo, CURL *handle, CURLINFO info, long *value) {
    return ((easy_getinfo_function)getinfo)(handle, info, value);
}
CURLcode quarry_curl_getinfo_string(void *getinfo, CURL *handle, CURLINFO info, char **value) {
    return ((easy_getinfo_function)getinfo)(handle, info, value);
}
CURLcode quarry_curl_getinfo_pointer(void *getinfo, CURL *handle, CURLINFO info, void **value) {
    return ((easy_getinfo_function)getinfo)(handle, info, value);
}
CURLMcode quarry_curl_multi_setopt_long(void *setopt, CURLM *multi, CURLMoption option, long value) {
    return ((multi_setopt_function)setopt)(multi, option, value);
}
CURLMcode quarry_curl_multi_setopt_pointer(void *setopt, CURLM *multi, CURLMoption option, void *value) {
    return ((multi_setopt_function)setopt)(multi, option, value);
}
CURLMcode quarry_curl_multi_setopt_socket_function(void *setopt, CURLM *multi, curl_socket_callback callback) {
    return ((multi_setopt_function)setopt)(multi, CURLMOPT_SOCKETFUNCTION, callback);
}
CURLMcode quarry_curl_multi_setopt_timer_function(void *setopt, CURLM *multi, curl_multi_timer_callback callback) {
    return ((multi_setopt_function)setopt)(multi, CURLMOPT_TIMERFUNCTION, callback);
}
