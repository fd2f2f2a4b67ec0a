#ifndef QUARRY_CLDAP_SHIM_H
#define QUARRY_CLDAP_SHIM_H
#include <ldap.h>

// Macros Swift cannot import (they are casts): the search scopes.
static inline int quarry_ldap_scope_base(void) { return LDAP_SCOPE_BASE; }
static inline int quarry_ldap_scope_subtree(void) { return LDAP_SCOPE_SUBTREE; }
#endif
