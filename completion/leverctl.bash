# SPDX-License-Identifier: MIT
# bash completion for leverctl(1): commands, options, session names from
# the plans directory (the same one leverctl reads), athletes from leverd.

_leverctl_plans_dir()
{
	local i
	for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
		case ${COMP_WORDS[i]} in
		--plans-dir) echo "${COMP_WORDS[i + 1]}"; return ;;
		--plans-dir=*) echo "${COMP_WORDS[i]#--plans-dir=}"; return ;;
		esac
	done
	if [ -n "${LEVER_PLANS_DIR:-}" ]; then
		echo "$LEVER_PLANS_DIR"
	elif [ -d plans ] && [ -x build/leverctl ]; then
		echo plans
	else
		echo /usr/share/lever/plans
	fi
}

_leverctl_sessions()
{
	local dir
	dir=$(_leverctl_plans_dir)
	find "$dir" -mindepth 2 -maxdepth 2 -name 'week*-day*' \
		-printf '%f\n' 2>/dev/null | sort -uV
}

_leverctl_plan_ids()
{
	find "$(_leverctl_plans_dir)" -mindepth 1 -maxdepth 1 -type d \
		-printf '%f\n' 2>/dev/null
}

_leverctl_athletes()
{
	leverctl --json athlete list 2>/dev/null |
		sed -n 's/.*"name": "\([^"]*\)".*/\1/p'
}

# record ids of the sessions leverd recorded (newest events first)
_leverctl_record_ids()
{
	leverctl --json events --limit 200 2>/dev/null |
		sed -n 's/.*"session": \([0-9][0-9]*\).*/\1/p' | sort -un
}

_leverctl()
{
	local cur prev cmd i words
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmds="start status pause resume stop skip pain reset plans show validate next athlete events trace history export plot report help"

	case $prev in
	--socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--plans-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--athlete) COMPREPLY=($(compgen -W "$(_leverctl_athletes)" -- "$cur")); return ;;
	--plan) COMPREPLY=($(compgen -W "$(_leverctl_plan_ids)" -- "$cur")); return ;;
	--interval) COMPREPLY=($(compgen -W "200 500 1000" -- "$cur")); return ;;
	--since) COMPREPLY=($(compgen -W "$(date +%F)" -- "$cur")); return ;;
	--limit) COMPREPLY=($(compgen -W "10 50 100 1000" -- "$cur")); return ;;
	--session) COMPREPLY=($(compgen -W "$(_leverctl_record_ids)" -- "$cur")); return ;;
	--format)
		if [[ " ${COMP_WORDS[*]} " == *" show "* ]]; then
			COMPREPLY=($(compgen -W "fit-workout" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "fit tcx csv" -- "$cur"))
		fi
		return ;;
	-o|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	esac

	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--socket|--plans-dir) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$cmds --socket --plans-dir --json --help" -- "$cur"))
		return
	fi
	case $cmd in
	start)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--athlete --plan --confirm-start-criteria --confirm-mass --override-back-to-back --follow --json" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_leverctl_sessions)" -- "$cur"))
		fi ;;
	show)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--plan --json --format --dir" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_leverctl_sessions)" -- "$cur"))
		fi ;;
	status) COMPREPLY=($(compgen -W "--watch --interval --json" -- "$cur")) ;;
	help) COMPREPLY=($(compgen -W "${cmds% help}" -- "$cur")) ;;
	next) COMPREPLY=($(compgen -W "--athlete --plan --json" -- "$cur")) ;;
	pain)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--athlete" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "0 1 2 3 4 5 6 7 8 9 10" -- "$cur"))
		fi ;;
	validate) COMPREPLY=($(compgen -f -- "$cur")) ;;
	events) COMPREPLY=($(compgen -W "--athlete --session --since --limit --json" -- "$cur")) ;;
	trace)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--csv --json" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_leverctl_record_ids)" -- "$cur"))
		fi ;;
	history) COMPREPLY=($(compgen -W "--athlete --json" -- "$cur")) ;;
	report) COMPREPLY=($(compgen -W "--athlete --plan -o --output --json" -- "$cur")) ;;
	plot)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-o --output --size --json" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_leverctl_record_ids)" -- "$cur"))
		fi ;;
	export)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--format -o --output --dir --athlete --since --json" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_leverctl_record_ids)" -- "$cur"))
		fi ;;
	athlete)
		words=
		for ((i = i + 1; i < COMP_CWORD; i++)); do
			words="$words ${COMP_WORDS[i]}"
		done
		set -- $words
		case $# in
		0) COMPREPLY=($(compgen -W "add list show weigh rename anonymise remove" -- "$cur")) ;;
		1) case $1 in
		   show|weigh|set-mass|rename|anonymise|remove)
			COMPREPLY=($(compgen -W "$(_leverctl_athletes)" -- "$cur")) ;;
		   esac ;;
		2) case $1 in
		   anonymise|remove) COMPREPLY=($(compgen -W "--yes" -- "$cur")) ;;
		   esac ;;
		esac ;;
	esac
}
complete -F _leverctl leverctl
