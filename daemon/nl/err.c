// SPDX-License-Identifier: GPL-2.0-only
/* struct np_err helpers and libnl error codes as errno values. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <netlink/errno.h>

#include "nl/nl.h"

void np_err_clear(struct np_err *err)
{
	err->err = 0;
	err->msg[0] = '\0';
}

int np_err_set(struct np_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	err->err = errnum;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -errnum;
}

const char *np_err_str(const struct np_err *err, char *buf, size_t len)
{
	const char *what = err->err ? strerror(err->err) : "no error";

	if (err->msg[0])
		snprintf(buf, len, "%s (%s)", err->msg, what);
	else
		snprintf(buf, len, "%s", what);
	return buf;
}

int np_nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_SUCCESS:		return 0;
	case NLE_INTR:			return EINTR;
	case NLE_BAD_SOCK:		return EBADF;
	case NLE_AGAIN:			return EAGAIN;
	case NLE_NOMEM:			return ENOMEM;
	case NLE_EXIST:			return EEXIST;
	case NLE_INVAL:			return EINVAL;
	case NLE_RANGE:			return ERANGE;
	case NLE_MSGSIZE:		return EMSGSIZE;
	case NLE_OPNOTSUPP:		return EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:		return EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:		return ENOENT;
	case NLE_NOATTR:		/* fall through */
	case NLE_MISSING_ATTR:		return EBADMSG;
	case NLE_SEQ_MISMATCH:		return EPROTO;
	case NLE_MSG_OVERFLOW:		return ENOBUFS;
	case NLE_MSG_TRUNC:		/* fall through */
	case NLE_MSG_TOOSHORT:		return EBADMSG;
	case NLE_NOADDR:		return EADDRNOTAVAIL;
	case NLE_MSGTYPE_NOSUPPORT:	return EPROTO;
	case NLE_BUSY:			return EBUSY;
	case NLE_PROTO_MISMATCH:	return EPROTONOSUPPORT;
	case NLE_NOACCESS:		return EACCES;
	case NLE_PERM:			return EPERM;
	case NLE_NODEV:			return ENODEV;
	case NLE_DUMP_INTR:		return EINTR;
	case NLE_ATTRSIZE:		return EMSGSIZE;
	default:			return EIO;
	}
}
