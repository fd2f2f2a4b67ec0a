#ifndef QUARRY_CARGON2_SHIM_H
#define QUARRY_CARGON2_SHIM_H
#include <argon2.h>

// ARGON2_FLAG_CLEAR_PASSWORD is a macro built with UINT32_C; Swift cannot see it.
static inline uint32_t quarry_argon2_flag_clear_password(void) { return ARGON2_FLAG_CLEAR_PASSWORD; }
#endif
