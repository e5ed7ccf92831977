/*
 * status.c: jd_status_str(), the one place status codes get words.
 */
#include "jobdex.h"

const char *
jd_status_str(jd_status st)
{
    switch (st) {
    case JD_OK:
        return "success";
    case JD_ERR_NOMEM:
        return "out of memory";
    case JD_ERR_IO:
        return "input/output error";
    case JD_ERR_INVALID_ARG:
        return "invalid input";
    case JD_ERR_QUERY_SYNTAX:
        return "query syntax error";
    case JD_ERR_NOT_FOUND:
        return "not found";
    case JD_ERR_LOCKED:
        return "index is locked by another writer";
    case JD_ERR_CORRUPT:
        return "index is corrupt";
    case JD_ERR_VERSION:
        return "index format version not supported";
    case JD_ERR_BACKEND:
        return "database error";
    case JD_ERR_INTERNAL:
        return "internal error";
    case JD_ERR_TOO_BIG:
        return "input too large";
    case JD_ERR_INTERRUPTED:
        return "interrupted";
    case JD_ERR_MODIFIED:
        return "the index changed under this reader; run it again";
    }
    return "unknown status";
}
