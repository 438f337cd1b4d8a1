// SPDX-License-Identifier: MIT
/*
 * export_write: an export reaches its name whole or not at all. It is
 * written to a temporary file beside the target (same filesystem, so the
 * rename is atomic), flushed to disk, then renamed; on any failure the
 * temporary file is removed and the target is left as it was.
 */
#include "export.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const format_names[] = {
	[EXPORT_FIT] = "fit", [EXPORT_TCX] = "tcx", [EXPORT_CSV] = "csv",
};

int export_format_parse(const char *name, enum export_format *fmt)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (!strcmp(name, format_names[i])) {
			*fmt = (enum export_format)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *export_format_ext(enum export_format fmt)
{
	return format_names[fmt];
}

struct as_format {
	const struct export_session *x;
	enum export_format fmt;
};

static int encode(const void *ctx, FILE *f)
{
	const struct as_format *a = ctx;

	switch (a->fmt) {
	case EXPORT_FIT:
		return export_fit(a->x, f);
	case EXPORT_TCX:
		return export_tcx(a->x, f);
	case EXPORT_CSV:
		return export_csv(a->x, f);
	}
	return -EINVAL;
}

int export_write(const struct export_session *x, enum export_format fmt,
		 const char *path, char *msg, size_t len)
{
	struct as_format a = { x, fmt };

	return export_write_with(encode, &a, path, msg, len);
}

int export_write_with(int (*enc)(const void *ctx, FILE *f), const void *ctx,
		      const char *path, char *msg, size_t len)
{
	char tmp[4096], dir[4096];
	FILE *f;
	int fd, ret;

	snprintf(dir, sizeof(dir), "%s", path);
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(dir),
		     basename((char *)path)) >= (int)sizeof(tmp)) {
		snprintf(msg, len, "%s: the path is too long", path);
		return -ENAMETOOLONG;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		snprintf(msg, len, "cannot write %s: %s", path,
			 strerror(-ret));
		return ret;
	}
	/* mkstemp makes it 0600; an export is for sharing like any file */
	fchmod(fd, 0644 & ~umask(umask(0)));
	f = fdopen(fd, "wb");
	if (!f) {
		ret = -errno;
		close(fd);
		goto err;
	}
	ret = enc(ctx, f);
	if (!ret && fflush(f))
		ret = -errno;
	if (!ret && fsync(fileno(f)))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (!ret)
		return 0;
err:
	unlink(tmp);
	snprintf(msg, len, "cannot write %s: %s", path, strerror(-ret));
	return ret;
}
