// SPDX-License-Identifier: MIT
/*
 * dev.c - the public lever_dev_* and lever_sim_* entry points: argument
 * checks common to every transport, then one call into the transport.
 * Never talks to a device itself; never lets a bad argument through.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lever_priv.h"
#include "lever_wire.h"

bool lever_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (len >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return false;
	}
	memcpy(dst, src, len + 1);
	return true;
}

LEVER_API int lever_dev_open_flags(const char *spec, unsigned int flags,
				   struct lever_dev **out)
{
	if (!out || (flags & ~LEVER_DEV_OPEN_READONLY))
		return -EINVAL;
	if (!spec || !*spec || spec[0] == '/' ||
	    !strncmp(spec, "serial:", 7))
		return lever_chardev_open(spec, flags, out);
	if (!strncmp(spec, "sim:", 4))
		return lever_sim_open(spec + 4, flags, out);
	if (!strcmp(spec, "sim"))
		return lever_sim_open("", flags, out);
	if (!strncmp(spec, "usb:", 4))
		return lever_usb_open(spec + 4, flags, out);
	if (!strcmp(spec, "usb"))
		return lever_usb_open("", flags, out);
	return -EINVAL;
}

LEVER_API int lever_dev_open(const char *spec, struct lever_dev **out)
{
	return lever_dev_open_flags(spec, 0, out);
}

LEVER_API void lever_dev_close(struct lever_dev *dev)
{
	if (dev)
		dev->ops->close(dev);
}

LEVER_API int lever_dev_reopen(struct lever_dev *dev)
{
	if (!dev)
		return -EINVAL;
	return dev->ops->reopen(dev);
}

LEVER_API int lever_dev_info(struct lever_dev *dev,
			     struct lever_dev_info *info)
{
	if (!dev || !info)
		return -EINVAL;
	return dev->ops->info(dev, info);
}

/* Control calls: refused on a read-only handle before the transport. */
static int lever_dev_check_control(struct lever_dev *dev)
{
	if (!dev)
		return -EINVAL;
	if (dev->flags & LEVER_DEV_OPEN_READONLY)
		return -EPERM;
	return 0;
}

LEVER_API int lever_dev_arm(struct lever_dev *dev)
{
	int ret = lever_dev_check_control(dev);

	return ret ? ret : dev->ops->arm(dev);
}

LEVER_API int lever_dev_disarm(struct lever_dev *dev)
{
	int ret = lever_dev_check_control(dev);

	return ret ? ret : dev->ops->disarm(dev);
}

LEVER_API int lever_dev_command(struct lever_dev *dev,
				const struct lever_dev_command *cmd)
{
	int ret = lever_dev_check_control(dev);
	size_t i;

	if (ret)
		return ret;
	if (!cmd || cmd->belt_speed_mm_s < 0 || cmd->reserved0)
		return -EINVAL;
	for (i = 0; i < LEVER_ARRAY_SIZE(cmd->reserved); i++)
		if (cmd->reserved[i])
			return -EINVAL;
	return dev->ops->command(dev, cmd);
}

LEVER_API int lever_dev_stop(struct lever_dev *dev)
{
	int ret = lever_dev_check_control(dev);

	return ret ? ret : dev->ops->stop(dev);
}

LEVER_API int lever_dev_set_watchdog(struct lever_dev *dev,
				     uint32_t period_ms)
{
	int ret = lever_dev_check_control(dev);

	if (ret)
		return ret;
	if (period_ms < LEVER_DEV_WATCHDOG_MIN_MS ||
	    period_ms > LEVER_DEV_WATCHDOG_MAX_MS)
		return -EINVAL;
	return dev->ops->set_watchdog(dev, period_ms);
}

LEVER_API int lever_dev_status(struct lever_dev *dev,
			       struct lever_dev_status *status)
{
	if (!dev || !status)
		return -EINVAL;
	return dev->ops->status(dev, status);
}

LEVER_API int lever_dev_reset_faults(struct lever_dev *dev)
{
	int ret = lever_dev_check_control(dev);

	return ret ? ret : dev->ops->reset_faults(dev);
}

LEVER_API int lever_dev_read_sample(struct lever_dev *dev,
				    struct lever_dev_sample *sample)
{
	if (!dev || !sample)
		return -EINVAL;
	return dev->ops->read_sample(dev, sample, true);
}

LEVER_API int lever_dev_try_read_sample(struct lever_dev *dev,
					struct lever_dev_sample *sample)
{
	if (!dev || !sample)
		return -EINVAL;
	return dev->ops->read_sample(dev, sample, false);
}

LEVER_API int lever_dev_fd(struct lever_dev *dev)
{
	if (!dev)
		return -EINVAL;
	return dev->ops->fd(dev);
}

LEVER_API int lever_sim_step(struct lever_dev *dev, uint64_t ns)
{
	if (!dev)
		return -EINVAL;
	if (!dev->ops->sim_step)
		return -EOPNOTSUPP;
	return dev->ops->sim_step(dev, ns);
}

/*
 * A transport without its own: the three calls. Out of line, so that the
 * sim transport's tail call needs no frame.
 */
static __attribute__((noinline)) int
lever_dev_step_read(struct lever_dev *dev, uint64_t ns,
		    struct lever_dev_sample *sample)
{
	int ret = lever_dev_try_read_sample(dev, sample);

	if (ret != -EAGAIN)
		return ret;
	ret = lever_sim_step(dev, ns);
	if (ret)
		return ret;
	return lever_dev_try_read_sample(dev, sample);
}

LEVER_API int lever_sim_step_read(struct lever_dev *dev, uint64_t ns,
				  struct lever_dev_sample *sample)
{
	if (!dev || !sample)
		return -EINVAL;
	if (!dev->ops->sim_step_read)
		return lever_dev_step_read(dev, ns, sample);
	return dev->ops->sim_step_read(dev, ns, sample);
}

LEVER_API int lever_sim_truth(struct lever_dev *dev,
			      struct lever_sim_truth *truth)
{
	if (!dev || !truth)
		return -EINVAL;
	if (!dev->ops->sim_truth)
		return -EOPNOTSUPP;
	return dev->ops->sim_truth(dev, truth);
}

LEVER_API int lever_sim_now(struct lever_dev *dev, uint64_t *now_ns)
{
	if (!dev || !now_ns)
		return -EINVAL;
	if (!dev->ops->sim_now)
		return -EOPNOTSUPP;
	return dev->ops->sim_now(dev, now_ns);
}

LEVER_API int lever_sim_inject(struct lever_dev *dev, unsigned int fault,
			       int on)
{
	if (!dev)
		return -EINVAL;
	if (!dev->ops->sim_inject)
		return -EOPNOTSUPP;
	if (fault < LEVER_SIM_FAULT_PRESSURE_SENSOR ||
	    fault > LEVER_SIM_FAULT_DELAY_FRAMES)
		return -EINVAL;
	return dev->ops->sim_inject(dev, fault, on);
}

static bool lever_one_bit(unsigned int v, unsigned int mask)
{
	return v && !(v & (v - 1)) && !(v & ~mask);
}

LEVER_API int lever_sim_set_line(struct lever_dev *dev, unsigned int line,
				 int active)
{
	if (!dev)
		return -EINVAL;
	if (!dev->ops->sim_set_line)
		return -EOPNOTSUPP;
	if (!lever_one_bit(line, LEVER_DEV_LINE_ESTOP |
			   LEVER_DEV_LINE_SAFETY_KEY | LEVER_DEV_LINE_HARNESS))
		return -EINVAL;
	return dev->ops->sim_set_line(dev, line, active);
}

LEVER_API int lever_sim_press_button(struct lever_dev *dev,
				     unsigned int button, uint32_t hold_ms)
{
	if (!dev)
		return -EINVAL;
	if (!dev->ops->sim_press_button)
		return -EOPNOTSUPP;
	if (!lever_one_bit(button, 0xffu))
		return -EINVAL;
	if (hold_ms < 1 || hold_ms > 60000)
		return -ERANGE;
	return dev->ops->sim_press_button(dev, button, hold_ms);
}

LEVER_API int lever_sim_set_runner(struct lever_dev *dev,
				   uint32_t body_mass_g, uint32_t cadence_spm)
{
	if (!dev)
		return -EINVAL;
	if (!dev->ops->sim_set_runner)
		return -EOPNOTSUPP;
	if (body_mass_g < LEVER_BODY_MASS_MIN_G ||
	    body_mass_g > LEVER_BODY_MASS_MAX_G ||
	    cadence_spm < 60 || cadence_spm > 240)
		return -ERANGE;
	return dev->ops->sim_set_runner(dev, body_mass_g, cadence_spm);
}


void lever_squeue_init(struct lever_squeue *q, struct lever_dev_sample *ring,
		       unsigned int size)
{
	memset(q, 0, sizeof(*q));
	q->ring = ring;
	q->size = size;
	q->mask = size - 1;
}

void lever_squeue_restart(struct lever_squeue *q)
{
	q->head = q->count = 0;
	q->have_seq = false;
	q->pending_lost = 0;
}
