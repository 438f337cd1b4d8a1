# SPDX-License-Identifier: MIT
# daemon/control/: leverd's real-time core, alone in its own archive: the
# RT thread, the cycle sample -> supervisor -> law -> command, the
# supervisor, the law dispatcher and one file per law, ramps, rings and
# the targets the event loop hands over. It is compiled with no include
# path of a library the RT side must never link (jansson, SQLite,
# libgpiod, libevdev), and the headers its objects really read are checked
# below: the build fails if one of those ever creeps in.

LEVERD_CONTROL_SRCS := $(addprefix daemon/control/, \
		       ring.c ramp.c law.c law_pi.c law_afc.c sup.c loop.c rt.c \
		       rt_thread.c)
LEVERD_CONTROL_OBJS := $(LEVERD_CONTROL_SRCS:%.c=$(BUILD)/obj/%.o)
$(LEVERD_CONTROL_OBJS): EXTRA_CFLAGS += $(HOT_CFLAGS)
LEVERD_CONTROL      := $(BUILD)/libleverd-control.a
LEVERD_CONTROL_OK   := $(BUILD)/obj/daemon/control/.no-foreign-headers

# what the RT side must never include, as they appear in a .d file
LEVERD_CONTROL_FORBIDDEN := jansson|sqlite3|gpiod|libevdev

$(LEVERD_CONTROL): $(LEVERD_CONTROL_OBJS) $(LEVERD_CONTROL_OK)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $(LEVERD_CONTROL_OBJS)

# -M, not the build's -MMD: system headers (where these live) count too
$(LEVERD_CONTROL_OK): $(LEVERD_CONTROL_OBJS)
	@for src in $(LEVERD_CONTROL_SRCS); do \
		bad=$$($(CC) $(CPPFLAGS) -Idaemon -M $$src | \
		       tr ' ' '\n' | grep -E '$(LEVERD_CONTROL_FORBIDDEN)'); \
		if [ -n "$$bad" ]; then \
			echo "$$src: the RT core must never include $$bad" >&2; \
			exit 1; \
		fi; \
	done; touch $@

ALL_TARGETS += $(LEVERD_CONTROL)
