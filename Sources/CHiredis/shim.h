#ifndef QUARRY_CHIREDIS_SHIM_H
#define QUARRY_CHIREDIS_SHIM_H
// Headers only: the Redis module loads libhiredis with dlopen when a connection is first made (its Raw.swift), so
// nothing here links it. Swift imports every declaration and constant this module needs as it is.
#include <hiredis/hiredis.h>
#endif
