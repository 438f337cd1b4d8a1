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

static inline void say_fmt(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void say_fmt(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (msg && len) {
		va_start(ap, fmt);
		vsnprintf(msg, len, fmt, ap);
		va_end(ap);
	}
}

/*
 * A macro, not a function: clang's analyzer does not follow a variadic
 * call, so it could not see that a refusal returns @ret and went down
 * paths where a failed call returned 0 with its outputs unset (make
 * analyze). @ret is evaluated first, as a call's argument was.
 */
#define say(msg, len, ret, ...) ({				\
	int say_ret_ = (ret);					\
								\
	say_fmt((msg), (len), __VA_ARGS__);			\
	say_ret_;						\
})

#endif /* LEVER_SAY_H */
