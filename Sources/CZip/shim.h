#ifndef QUARRY_CZIP_SHIM_H
#define QUARRY_CZIP_SHIM_H
#include <zip.h>
#endif
