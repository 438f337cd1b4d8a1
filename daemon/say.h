/* SPDX-License-Identifier: MIT */
/*
 * say.h - the one way leverd's request handlers (session, store, export)
 * write their operator sentence: format it into @msg and return @ret, so
 * that a refusal is one line, `return say(msg, len, -EINVAL, "...")`.
 * Header-only, because the modules that use it are separate archives.
 */
#ifndef LEVER_SAY_H
#define LEVER_SAY_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline int say(char *msg, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline int say(char *msg, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;

	if (msg && len) {
		va_start(ap, fmt);
		vsnprintf(msg, len, fmt, ap);
		va_end(ap);
	}
	return ret;
}

#endif /* LEVER_SAY_H */
