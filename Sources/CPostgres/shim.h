#ifndef QUARRY_CPOSTGRES_SHIM_H
#define QUARRY_CPOSTGRES_SHIM_H
// Debian's libpq-dev puts the client headers in /usr/include/postgresql (beside the server's include/ tree).
#include <postgresql/libpq-fe.h>

// Macros Swift cannot import (character literals): the error fields a failed result is read by.
static inline int quarry_pg_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }
static inline int quarry_pg_diag_message_primary(void) { return PG_DIAG_MESSAGE_PRIMARY; }
static inline int quarry_pg_diag_message_detail(void) { return PG_DIAG_MESSAGE_DETAIL; }
#endif
