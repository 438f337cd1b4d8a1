# SPDX-License-Identifier: GPL-2.0
# Sourced by the VM cases that drive Debian's own tools against lever.ko
# (tests/vm/cases/55, 56, 59): TAP lines and waiting.
# shellcheck shell=bash

n=0
fail=0

check()	# description, then a command that must succeed
{
	local what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		fail=1
	fi
}

show() { sed 's/^/#   /' "$1"; }

within_60s()	# command: retried until it succeeds, up to 60 s
{
	local end=$((SECONDS + 60))

	while [ $SECONDS -lt $end ]; do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
