#ifndef QUARRY_CCURL_SHIM_H
#define QUARRY_CCURL_SHIM_H
#include <curl/curl.h>
#endif
