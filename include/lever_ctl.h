/* SPDX-License-Identifier: MIT */
/*
 * lever_ctl.h - leverd's control protocol, the one header leverd and
 * leverctl share (as chrony's candm.h): its version, the default paths,
 * every command with whether it needs the command right (root or group
 * lever; a peer that reached the group's socket otherwise may only read),
 * and leverctl's exit codes.
 * Documentation/control-socket.rst describes the protocol line by line;
 * a change to a command or its right is a change to that document too.
 */
#ifndef LEVER_CTL_H
#define LEVER_CTL_H

#include <stdbool.h>
#include <string.h>

#define LEVER_CTL_PROTOCOL_VERSION	1

/* the Makefile's install paths (PREFIX), written into the build tree */
#include "lever_paths.h"

#define LEVER_CTL_DEFAULT_SOCKET	LEVER_PATH_SOCKET
#define LEVER_CTL_DEFAULT_PLANS_DIR	LEVER_PATH_PLANS_DIR

/*
 * Every command: C(name, needs_command). leverd builds its command table
 * from this list (daemon/dmn.c), so a command cannot be served without a
 * right, nor listed here without a handler.
 */
#define LEVER_CTL_COMMANDS(C)			\
	C(hello,		false)		\
	C(status,		false)		\
	C(watch,		false)		\
	C(start,		true)		\
	C(pause,		true)		\
	C(resume,		true)		\
	C(stop,			true)		\
	C(skip,			true)		\
	C(pain,			true)		\
	C(reset,		true)		\
	C(plans,		false)		\
	C(show,			false)		\
	C(next,			false)		\
	C(athlete_add,		true)		\
	C(athlete_list,		false)		\
	C(athlete_show,		false)		\
	C(athlete_set_mass,	true)		\
	C(athlete_weigh,	true)		\
	C(athlete_rename,	true)		\
	C(athlete_anonymise,	true)		\
	C(athlete_remove,	true)		\
	C(events,		false)		\
	C(trace,		false)		\
	C(export,		false)

/*
 * Whether @cmd needs the command right. A name not in the protocol does:
 * a read-only peer learns nothing from it but EPERM.
 */
static inline bool lever_ctl_needs_command(const char *cmd)
{
#define LEVER_CTL_READ_ONLY(name, needs_command)	\
	if (!needs_command && !strcmp(cmd, #name))	\
		return false;
	LEVER_CTL_COMMANDS(LEVER_CTL_READ_ONLY)
#undef LEVER_CTL_READ_ONLY
	return true;
}

/* leverctl's exit codes (documented in leverctl(1)). */
enum lever_ctl_exit {
	LEVER_CTL_EXIT_OK = 0,
	LEVER_CTL_EXIT_FAIL = 1,	/* leverd refused or the command failed */
	LEVER_CTL_EXIT_USAGE = 2,	/* bad arguments */
	LEVER_CTL_EXIT_NO_DAEMON = 3,	/* leverd not running or answering */
	LEVER_CTL_EXIT_PERM = 4,	/* permission denied (group lever) */
	LEVER_CTL_EXIT_BAD_PLAN = 5,	/* a plan file is invalid */
	LEVER_CTL_EXIT_NOT_FOUND = 6,	/* unknown session, athlete or plan */
	LEVER_CTL_EXIT_BUSY = 7,	/* export: the session still runs */
	LEVER_CTL_EXIT_OUTPUT = 8,	/* export: the file cannot be written */
	LEVER_CTL_EXIT_BAD_RECORD = 9,	/* export: the record is empty or
					 * corrupt */
};

#endif /* LEVER_CTL_H */
