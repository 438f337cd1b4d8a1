/* SPDX-License-Identifier: MIT */
/*
 * lever_utf8.h - the one UTF-8 check of userspace. Every text leverd
 * takes from outside and may hand on as JSON (plan files, control
 * requests quoted in an error, what the database holds) passes it first:
 * jansson refuses a string that is not UTF-8, and a reply or a plan that
 * cannot be built is worse than a clear error naming the byte, or a '?'.
 */
#ifndef LEVER_UTF8_H
#define LEVER_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/*
 * The length of the character the @n bytes at @s start with (RFC 3629:
 * no overlong forms, no surrogates, nothing past U+10FFFF), or 0 when
 * they start none (a stray byte, or a character cut by the end).
 */
static inline size_t lever_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (!n)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* Whether the string @s is UTF-8 throughout. */
static inline bool lever_utf8_valid(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t left = strlen(s), n;

	for (; left; u += n, left -= n) {
		n = lever_utf8_len(u, left);
		if (!n)
			return false;
	}
	return true;
}

/* @s made UTF-8 in place: each byte that starts no character, a '?'. */
static inline void lever_utf8_plain(char *s)
{
	unsigned char *u = (unsigned char *)s;
	size_t left = strlen(s), n;

	while (left) {
		n = lever_utf8_len(u, left);
		if (!n) {
			*u = '?';
			n = 1;
		}
		u += n;
		left -= n;
	}
}

#endif /* LEVER_UTF8_H */
