#ifndef QUARRY_CXML2_SHIM_H
#define QUARRY_CXML2_SHIM_H
#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#endif
