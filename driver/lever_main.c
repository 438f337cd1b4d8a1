// SPDX-License-Identifier: GPL-2.0
/*
 * lever.ko: USB driver for the LEVER body-weight-support treadmill
 * controller board. A person runs on the belt this driver commands: every
 * path that fails must leave the board in its safe state, and no set-point
 * may reach the board without passing the safety gate (lever_gate.c).
 */
#include <linux/cdev.h>
#include <linux/compat.h>
#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/usb.h>
#include <linux/wait.h>

#include <uapi/linux/lever.h>
#include "lever_wire.h"
#include "lever_gate.h"
#include "lever_limits.h"
#include "lever_gpio.h"
#include "lever_input.h"

#define LEVER_MINORS		16
#define LEVER_IN_URBS		4	/* sample URBs in flight */
#define LEVER_RING_RECORDS	1024	/* per open file, power of two */
#define LEVER_RING_MASK		(LEVER_RING_RECORDS - 1)
#define LEVER_TICK_NS		(10 * NSEC_PER_MSEC)	/* frames while armed */
#define LEVER_CTRL_TIMEOUT_MS	1000
#define LEVER_IN_ERRORS_MAX	16	/* consecutive, then IO fault */
#define LEVER_RATE_MAX_HZ	10000
#define LEVER_RESET_WAIT_MS	500	/* for the board to show a reset */
#define LEVER_STOP_TIMEOUT_MS	100	/* last stop frame on unbind, reset */
#define LEVER_MAX_OPENERS	16	/* open files per board */

static struct class *lever_class;
static dev_t lever_devt;
static DEFINE_IDA(lever_minors);

/*
 * One board. Its lifetime is the embedded struct device's reference
 * count: probe holds one, every open file holds one, the release
 * function frees everything once the last is gone.
 */
struct lever_dev {
	struct device		dev;
	struct cdev		cdev;
	struct usb_device	*udev;
	int			minor;
	int			ifnum;
	unsigned int		pipe_in;
	unsigned int		pipe_out;
	int			interval_in;
	int			interval_out;
	struct lever_info	info;	/* identity and limits, fixed */

	/* serialises ioctls with disconnect; guards control requests */
	struct mutex		io_mutex;

	/* guards everything below; taken in URB and hrtimer callbacks */
	spinlock_t		lock;
	bool			disconnected;	/* set under both locks */
	bool			paused;		/* reset or suspend: no I/O */
	unsigned int		openers;	/* files on the list below */
	struct lever_gate	gate;
	struct lever_file	*controller;	/* the file that armed */
	pid_t			controller_pid;
	struct list_head	files;
	struct lever_sample	last;
	bool			have_seq;
	u32			last_seq;
	u64			samples;
	u64			dropped;
	u64			commands;
	u64			bad_frames;
	unsigned int		in_errors;	/* consecutive */
	u32			cmd_seq;
	bool			out_busy;	/* the OUT URB is in flight */
	bool			out_pending;	/* a newer frame is waiting */
	bool			tick_running;
	struct lever_gate_frame	next_frame;

	struct hrtimer		tick_timer;
	struct hrtimer		wd_timer;
	struct urb		*in_urbs[LEVER_IN_URBS];
	struct urb		*out_urb;
	wait_queue_head_t	wait;

	/* fed from the sample completion; removed once URBs are dead */
	struct lever_gpio	*gpio;
	struct lever_input	*input;
};

/* One open file: its own ring of records, so every reader sees all. */
struct lever_file {
	struct lever_dev	*ldev;
	struct list_head	node;
	bool			writable;
	u32			watchdog_ms;
	u32			head;	/* free-running; under ldev->lock */
	u32			tail;
	struct lever_sample	ring[LEVER_RING_RECORDS];
};

/* The uapi and the gate must agree on every shared number. */
static_assert(LEVER_STATE_DISARMED == LEVER_GATE_DISARMED);
static_assert(LEVER_STATE_ARMED == LEVER_GATE_ARMED);
static_assert(LEVER_STATE_STOPPING == LEVER_GATE_STOPPING);
static_assert(LEVER_STATE_FAULT == LEVER_GATE_FAULT);
static_assert(LEVER_DFAULT_WATCHDOG == LEVER_GATE_FAULT_WATCHDOG);
static_assert(LEVER_DFAULT_CLOSED == LEVER_GATE_FAULT_CLOSED);
static_assert(LEVER_DFAULT_BOARD == LEVER_GATE_FAULT_BOARD);
static_assert(LEVER_DFAULT_ESTOP == LEVER_GATE_FAULT_ESTOP);
static_assert(LEVER_DFAULT_SAFETY_KEY == LEVER_GATE_FAULT_SAFETY_KEY);
static_assert(LEVER_DFAULT_IO == LEVER_GATE_FAULT_IO);
static_assert(LEVER_LINE_ESTOP == LEVER_GATE_LINE_ESTOP);
static_assert(LEVER_LINE_SAFETY_KEY == LEVER_GATE_LINE_SAFETY_KEY);
static_assert(LEVER_CMD_RUN == LEVER_GATE_CMD_RUN);
static_assert(LEVER_CMD_STOP == LEVER_GATE_CMD_STOP);
static_assert(LEVER_SERIAL_MAX == LEVER_SERIAL_LEN);
static_assert(LEVER_WATCHDOG_MIN_MS == LEVER_GATE_WATCHDOG_MIN_MS);
static_assert(LEVER_WATCHDOG_MAX_MS == LEVER_GATE_WATCHDOG_MAX_MS);
static_assert(LEVER_WATCHDOG_DEF_MS == LEVER_GATE_WATCHDOG_DEF_MS);

static bool lever_gate_active(struct lever_dev *ldev)
{
	u32 state = lever_gate_state(&ldev->gate);

	return state == LEVER_GATE_ARMED || state == LEVER_GATE_STOPPING;
}

/* The file in control, or NULL once the gate has left armed/stopping. */
static struct lever_file *lever_controller(struct lever_dev *ldev)
{
	lockdep_assert_held(&ldev->lock);
	if (!lever_gate_active(ldev))
		ldev->controller = NULL;
	return ldev->controller;
}

/* --- command frames (interrupt OUT) ------------------------------------ */

static void lever_fill_command(struct lever_dev *ldev,
			       struct lever_wire_command *c,
			       const struct lever_gate_frame *f)
{
	lockdep_assert_held(&ldev->lock);
	memset(c, 0, sizeof(*c));
	c->version = LEVER_WIRE_VERSION;
	c->type = LEVER_FRAME_COMMAND;
	c->length = cpu_to_le16(sizeof(*c));
	c->seq = cpu_to_le32(++ldev->cmd_seq);
	c->support_pressure_pa = cpu_to_le32(f->support_pressure_pa);
	c->belt_speed_mm_s = cpu_to_le32((u32)f->belt_speed_mm_s);
	c->incline_centi_pct = cpu_to_le16((u16)f->incline_centi_pct);
	c->flags = cpu_to_le16(f->flags);
}

static void lever_submit_out(struct lever_dev *ldev)
{
	int ret;

	lockdep_assert_held(&ldev->lock);
	lever_fill_command(ldev, ldev->out_urb->transfer_buffer,
			   &ldev->next_frame);
	ret = usb_submit_urb(ldev->out_urb, GFP_ATOMIC);
	if (ret) {
		dev_err_ratelimited(&ldev->dev, "command frame not sent: %d\n",
				    ret);
		lever_gate_io_fault(&ldev->gate, ktime_get_ns());
		return;
	}
	ldev->out_busy = true;
	ldev->commands++;
}

/*
 * The last frame the board hears from us before an unbind or a reset,
 * sent and waited for: the timers must be stopped and the OUT URB killed.
 * A board that is already gone just fails it.
 */
static void lever_send_final(struct lever_dev *ldev,
			     const struct lever_gate_frame *f)
{
	struct lever_wire_command *c;
	int actual, ret;

	c = kmalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return;
	spin_lock_irq(&ldev->lock);
	lever_fill_command(ldev, c, f);
	spin_unlock_irq(&ldev->lock);
	ret = usb_interrupt_msg(ldev->udev, ldev->pipe_out, c, sizeof(*c),
				&actual, LEVER_STOP_TIMEOUT_MS);
	if (ret) {
		dev_info(&ldev->dev, "final stop frame not sent: %d\n", ret);
	} else {
		spin_lock_irq(&ldev->lock);
		ldev->commands++;
		spin_unlock_irq(&ldev->lock);
	}
	kfree(c);
}

/* Sends @f now, or as soon as the frame in flight is done. */
static void lever_send(struct lever_dev *ldev, const struct lever_gate_frame *f)
{
	lockdep_assert_held(&ldev->lock);
	if (ldev->disconnected || ldev->paused)
		return;
	ldev->next_frame = *f;
	if (ldev->out_busy) {
		ldev->out_pending = true;
		return;
	}
	lever_submit_out(ldev);
}

static void lever_out_complete(struct urb *urb)
{
	struct lever_dev *ldev = urb->context;
	unsigned long flags;

	spin_lock_irqsave(&ldev->lock, flags);
	ldev->out_busy = false;
	switch (urb->status) {
	case 0:
		break;
	case -ENOENT:
	case -ECONNRESET:
	case -ESHUTDOWN:
	case -ENODEV:
		ldev->out_pending = false;
		goto out;
	default:
		dev_err_ratelimited(&ldev->dev, "command frame failed: %d\n",
				    urb->status);
		lever_gate_io_fault(&ldev->gate, ktime_get_ns());
		break;
	}
	if (ldev->out_pending && !ldev->disconnected && !ldev->paused) {
		ldev->out_pending = false;
		lever_submit_out(ldev);
	}
out:
	spin_unlock_irqrestore(&ldev->lock, flags);
}

/*
 * Brings the gate to @now, sends what it asks for, and keeps the timers
 * running: the watchdog at the gate's deadline, the frame tick while the
 * board must hear from us (its own watchdog stops the belt otherwise).
 */
static void lever_kick(struct lever_dev *ldev, u64 now)
{
	struct lever_gate_frame f;
	u64 deadline;

	lockdep_assert_held(&ldev->lock);
	if (ldev->disconnected || ldev->paused)
		return;
	if (lever_gate_tick(&ldev->gate, now, &f))
		lever_send(ldev, &f);
	deadline = lever_gate_deadline_ns(&ldev->gate);
	if (deadline)
		hrtimer_start(&ldev->wd_timer, ns_to_ktime(deadline),
			      HRTIMER_MODE_ABS);
	if (lever_gate_active(ldev) && !ldev->tick_running) {
		ldev->tick_running = true;
		hrtimer_start(&ldev->tick_timer, ns_to_ktime(LEVER_TICK_NS),
			      HRTIMER_MODE_REL);
	}
}

static enum hrtimer_restart lever_tick_fn(struct hrtimer *t)
{
	struct lever_dev *ldev = container_of(t, struct lever_dev, tick_timer);
	enum hrtimer_restart restart = HRTIMER_NORESTART;
	struct lever_gate_frame f;
	unsigned long flags;

	spin_lock_irqsave(&ldev->lock, flags);
	if (!ldev->disconnected && !ldev->paused &&
	    lever_gate_tick(&ldev->gate, ktime_get_ns(), &f))
		lever_send(ldev, &f);
	if (!ldev->disconnected && !ldev->paused &&
	    lever_gate_active(ldev)) {
		hrtimer_forward_now(t, ns_to_ktime(LEVER_TICK_NS));
		restart = HRTIMER_RESTART;
	} else {
		ldev->tick_running = false;
	}
	spin_unlock_irqrestore(&ldev->lock, flags);
	return restart;
}

static enum hrtimer_restart lever_wd_fn(struct hrtimer *t)
{
	struct lever_dev *ldev = container_of(t, struct lever_dev, wd_timer);
	unsigned long flags;

	spin_lock_irqsave(&ldev->lock, flags);
	/* a command may have moved the deadline; the gate decides */
	lever_kick(ldev, ktime_get_ns());
	spin_unlock_irqrestore(&ldev->lock, flags);
	return HRTIMER_NORESTART;
}

/* --- sample frames (interrupt IN) -------------------------------------- */

static void lever_file_push(struct lever_dev *ldev, struct lever_file *lf,
			    const struct lever_sample *s)
{
	struct lever_sample *r;

	if (lf->head - lf->tail == LEVER_RING_RECORDS) {
		/* full: the oldest goes, the next oldest says so */
		struct lever_sample *old = &lf->ring[lf->tail & LEVER_RING_MASK];
		u32 lost = old->lost + 1;

		lf->tail++;
		r = &lf->ring[lf->tail & LEVER_RING_MASK];
		r->lost += lost;
		r->flags |= LEVER_SAMPLE_OVERFLOW;
		ldev->dropped++;
	}
	r = &lf->ring[lf->head & LEVER_RING_MASK];
	*r = *s;
	lf->head++;
}

static bool lever_parse_sample(const struct lever_wire_sample *w, int len,
			       struct lever_sample *s)
{
	if (len != sizeof(*w) || w->version != LEVER_WIRE_VERSION ||
	    w->type != LEVER_FRAME_SAMPLE ||
	    le16_to_cpu(w->length) != sizeof(*w))
		return false;
	memset(s, 0, sizeof(*s));
	s->board_time_ns = le64_to_cpu(w->board_time_ns);
	s->seq = le32_to_cpu(w->seq);
	s->support_pressure_pa = le32_to_cpu(w->support_pressure_pa);
	s->support_force_mn = (s32)le32_to_cpu(w->support_force_mn);
	s->belt_speed_mm_s = (s32)le32_to_cpu(w->belt_speed_mm_s);
	s->incline_centi_pct = (s16)le16_to_cpu(w->incline_centi_pct);
	s->lines = le16_to_cpu(w->lines);
	s->buttons = le16_to_cpu(w->buttons);
	s->board_state = le16_to_cpu(w->board_state);
	s->board_faults = le32_to_cpu(w->faults);
	s->cmd_seq_applied = le32_to_cpu(w->cmd_seq_applied);
	s->pressure_setpoint_pa = le32_to_cpu(w->pressure_setpoint_pa);
	s->belt_setpoint_mm_s = (s32)le32_to_cpu(w->belt_setpoint_mm_s);
	s->incline_setpoint_centi_pct =
		(s16)le16_to_cpu(w->incline_setpoint_centi_pct);
	return true;
}

static void lever_take_sample(struct lever_dev *ldev, struct lever_sample *s)
{
	struct lever_file *lf;
	u32 gap = 0, state;

	lockdep_assert_held(&ldev->lock);
	/* a backwards jump is a board restart, not a loss */
	if (ldev->have_seq && s->seq - ldev->last_seq - 1 < 0x80000000u)
		gap = s->seq - ldev->last_seq - 1;
	ldev->have_seq = true;
	ldev->last_seq = s->seq;
	ldev->samples++;
	ldev->dropped += gap;
	if (gap) {
		s->lost = gap;
		s->flags |= LEVER_SAMPLE_OVERFLOW;
	}
	ldev->last = *s;
	state = lever_gate_state(&ldev->gate);
	lever_gate_observe(&ldev->gate, s->lines, s->board_faults,
			   s->pressure_setpoint_pa,
			   s->incline_setpoint_centi_pct, s->timestamp_ns);
	/* a stop the board caused goes out now, not at the next tick */
	if (lever_gate_state(&ldev->gate) != state)
		lever_kick(ldev, s->timestamp_ns);
	list_for_each_entry(lf, &ldev->files, node)
		lever_file_push(ldev, lf, s);
}

/*
 * One failed or malformed sample frame. From the LEVER_IN_ERRORS_MAX-th in
 * a row on, every one latches the IO fault again, so that a fault reset
 * cannot clear it while the stream is still failing.
 */
static void lever_in_error(struct lever_dev *ldev, int why, u64 now)
{
	lockdep_assert_held(&ldev->lock);
	if (ldev->in_errors < LEVER_IN_ERRORS_MAX)
		ldev->in_errors++;
	if (ldev->in_errors < LEVER_IN_ERRORS_MAX)
		return;
	if (!(lever_gate_faults(&ldev->gate) & LEVER_GATE_FAULT_IO))
		dev_err_ratelimited(&ldev->dev, "sample stream failing: %d\n",
				    why);
	lever_gate_io_fault(&ldev->gate, now);
	lever_kick(ldev, now);
}

static void lever_in_complete(struct urb *urb)
{
	struct lever_dev *ldev = urb->context;
	u64 now = ktime_get_ns();
	struct lever_sample s;
	unsigned long flags;
	bool valid;
	int ret;

	switch (urb->status) {
	case 0:
		break;
	case -ENOENT:
	case -ECONNRESET:
	case -ESHUTDOWN:
	case -ENODEV:
		return;		/* killed, unlinked or gone */
	default:
		/*
		 * Transient (a reset, the hub not yet aware of an unplug):
		 * keep the stream going, but a run of errors means nothing
		 * is known about the board any more, so stop the belt.
		 */
		spin_lock_irqsave(&ldev->lock, flags);
		lever_in_error(ldev, urb->status, now);
		spin_unlock_irqrestore(&ldev->lock, flags);
		goto resubmit;
	}

	spin_lock_irqsave(&ldev->lock, flags);
	valid = lever_parse_sample(urb->transfer_buffer, urb->actual_length,
				   &s);
	if (valid) {
		ldev->in_errors = 0;
		s.timestamp_ns = now;
		lever_take_sample(ldev, &s);
	} else {
		/* a board sending nonsense is as blind as a silent one */
		ldev->bad_frames++;
		lever_in_error(ldev, -EPROTO, now);
	}
	spin_unlock_irqrestore(&ldev->lock, flags);
	if (valid) {
		wake_up_interruptible(&ldev->wait);
		lever_gpio_update(ldev->gpio, s.lines);
		lever_input_update(ldev->input, s.buttons);
	}

resubmit:
	ret = usb_submit_urb(urb, GFP_ATOMIC);
	if (ret && ret != -EPERM && ret != -ENODEV)
		dev_err_ratelimited(&ldev->dev, "sample URB not resubmitted: %d\n",
				    ret);
}

/* --- file operations ---------------------------------------------------- */

static int lever_open(struct inode *inode, struct file *file)
{
	struct lever_dev *ldev = container_of(inode->i_cdev, struct lever_dev,
					      cdev);
	struct lever_file *lf;
	int ret = 0;

	lf = kvzalloc(sizeof(*lf), GFP_KERNEL);
	if (!lf)
		return -ENOMEM;
	lf->ldev = ldev;
	lf->writable = file->f_mode & FMODE_WRITE;
	lf->watchdog_ms = LEVER_WATCHDOG_DEF_MS;

	mutex_lock(&ldev->io_mutex);
	if (ldev->disconnected) {
		ret = -ENODEV;
		goto out;
	}
	/* each file has its own ring: their number must have a bound */
	if (ldev->openers >= LEVER_MAX_OPENERS) {
		ret = -EMFILE;
		goto out;
	}
	get_device(&ldev->dev);
	spin_lock_irq(&ldev->lock);
	list_add_tail(&lf->node, &ldev->files);
	ldev->openers++;
	spin_unlock_irq(&ldev->lock);
	file->private_data = lf;
out:
	mutex_unlock(&ldev->io_mutex);
	if (ret) {
		kvfree(lf);
		return ret;
	}
	return stream_open(inode, file);
}

/* Last close of a file, also when its process was killed. */
static int lever_release(struct inode *inode, struct file *file)
{
	struct lever_file *lf = file->private_data;
	struct lever_dev *ldev = lf->ldev;
	u64 now = ktime_get_ns();

	mutex_lock(&ldev->io_mutex);
	spin_lock_irq(&ldev->lock);
	list_del(&lf->node);
	ldev->openers--;
	if (lever_controller(ldev) == lf) {
		lever_gate_release(&ldev->gate, now);
		lever_kick(ldev, now);
	}
	if (ldev->controller == lf)
		ldev->controller = NULL;
	spin_unlock_irq(&ldev->lock);
	mutex_unlock(&ldev->io_mutex);

	kvfree(lf);
	put_device(&ldev->dev);
	return 0;
}

static bool lever_readable(struct lever_file *lf)
{
	struct lever_dev *ldev = lf->ldev;
	bool ready;

	spin_lock_irq(&ldev->lock);
	ready = lf->head != lf->tail || ldev->disconnected;
	spin_unlock_irq(&ldev->lock);
	return ready;
}

/*
 * A record taken off the ring whose copy to the reader faulted goes back,
 * so that the next read() returns it: a bad buffer must not lose a record
 * without a word. If its slot was taken meanwhile (a full ring, or another
 * reader of the same file moved on), it is lost the way an overflow loses
 * one: counted, and flagged in the record now first in line.
 */
static void lever_file_unread(struct lever_dev *ldev, struct lever_file *lf,
			      const struct lever_sample *s, u32 tail)
{
	struct lever_sample *r;

	spin_lock_irq(&ldev->lock);
	if (lf->tail == tail + 1 && lf->head - tail <= LEVER_RING_RECORDS) {
		lf->tail = tail;
	} else {
		ldev->dropped++;
		if (lf->head != lf->tail) {
			r = &lf->ring[lf->tail & LEVER_RING_MASK];
			r->lost += s->lost + 1;
			r->flags |= LEVER_SAMPLE_OVERFLOW;
		}
	}
	spin_unlock_irq(&ldev->lock);
}

static ssize_t lever_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	struct lever_file *lf = file->private_data;
	struct lever_dev *ldev = lf->ldev;
	struct lever_sample s;
	size_t done = 0;
	bool gone;
	u32 tail;
	int ret;

	if (count < sizeof(s))
		return -EINVAL;

	while (done + sizeof(s) <= count) {
		spin_lock_irq(&ldev->lock);
		if (lf->head == lf->tail) {
			gone = ldev->disconnected;
			spin_unlock_irq(&ldev->lock);
			if (done)
				break;
			if (gone)
				return -ENODEV;
			if (file->f_flags & O_NONBLOCK)
				return -EAGAIN;
			ret = wait_event_interruptible(ldev->wait,
						       lever_readable(lf));
			if (ret)
				return ret;
			continue;
		}
		tail = lf->tail++;
		s = lf->ring[tail & LEVER_RING_MASK];
		spin_unlock_irq(&ldev->lock);

		/* copy only with the spinlock dropped: it may fault */
		if (copy_to_user(buf + done, &s, sizeof(s))) {
			lever_file_unread(ldev, lf, &s, tail);
			return done ? done : -EFAULT;
		}
		done += sizeof(s);
	}
	return done;
}

static __poll_t lever_poll(struct file *file, poll_table *wait)
{
	struct lever_file *lf = file->private_data;
	struct lever_dev *ldev = lf->ldev;
	__poll_t mask = 0;

	poll_wait(file, &ldev->wait, wait);
	spin_lock_irq(&ldev->lock);
	if (lf->head != lf->tail)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (ldev->disconnected)
		mask |= EPOLLHUP | EPOLLERR;
	spin_unlock_irq(&ldev->lock);
	return mask;
}

/* --- ioctls; each runs under io_mutex with the board still there ------- */

static int lever_ioc_get_info(struct lever_file *lf, void __user *arg)
{
	struct lever_info info = lf->ldev->info;

	info.watchdog_ms = lf->watchdog_ms;
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static int lever_ioc_arm(struct lever_file *lf)
{
	struct lever_dev *ldev = lf->ldev;
	u64 now = ktime_get_ns();
	struct lever_file *ctl;
	int ret;

	if (!lf->writable)
		return -EBADF;
	spin_lock_irq(&ldev->lock);
	ctl = lever_controller(ldev);
	if ((ctl && ctl != lf) || ldev->paused) {
		ret = -EBUSY;
		goto out;
	}
	ret = lever_gate_arm(&ldev->gate, lf->watchdog_ms, now);
	if (ret)
		goto out;
	ldev->controller = lf;
	ldev->controller_pid = task_tgid_nr(current);
	lever_kick(ldev, now);
out:
	spin_unlock_irq(&ldev->lock);
	return ret;
}

/* DISARM (the controller) and STOP (anyone): the same controlled stop. */
static int lever_ioc_stop(struct lever_file *lf, bool controller_only)
{
	struct lever_dev *ldev = lf->ldev;
	u64 now = ktime_get_ns();
	struct lever_file *ctl;
	int ret = 0;

	spin_lock_irq(&ldev->lock);
	ctl = lever_controller(ldev);
	if (controller_only && ctl && ctl != lf) {
		ret = -EBUSY;
	} else {
		lever_gate_stop(&ldev->gate, now);
		lever_kick(ldev, now);
	}
	spin_unlock_irq(&ldev->lock);
	return ret;
}

static int lever_ioc_command(struct lever_file *lf, void __user *arg)
{
	struct lever_dev *ldev = lf->ldev;
	struct lever_command uc;
	struct lever_gate_cmd gc;
	struct lever_file *ctl;
	u64 now;
	int ret;

	if (copy_from_user(&uc, arg, sizeof(uc)))
		return -EFAULT;
	if (!lf->writable)
		return -EBADF;
	gc.support_pressure_pa = uc.support_pressure_pa;
	gc.belt_speed_mm_s = uc.belt_speed_mm_s;
	gc.incline_centi_pct = uc.incline_centi_pct;
	gc.flags = uc.flags;
	BUILD_BUG_ON(sizeof(gc.reserved) != sizeof(uc.reserved));
	memcpy(gc.reserved, uc.reserved, sizeof(gc.reserved));

	spin_lock_irq(&ldev->lock);
	now = ktime_get_ns();
	ctl = lever_controller(ldev);
	if (ctl && ctl != lf) {
		ret = -EBUSY;
		goto out;
	}
	ret = lever_gate_command(&ldev->gate, &gc, now, NULL);
	/* also after a refusal: a late command may have tripped the gate */
	lever_kick(ldev, now);
out:
	spin_unlock_irq(&ldev->lock);
	return ret;
}

static int lever_ioc_set_watchdog(struct lever_file *lf, void __user *arg)
{
	struct lever_dev *ldev = lf->ldev;
	struct lever_watchdog wd;
	int ret = 0;

	if (copy_from_user(&wd, arg, sizeof(wd)))
		return -EFAULT;
	if (wd.reserved || wd.period_ms < LEVER_WATCHDOG_MIN_MS ||
	    wd.period_ms > LEVER_WATCHDOG_MAX_MS)
		return -EINVAL;
	spin_lock_irq(&ldev->lock);
	lf->watchdog_ms = wd.period_ms;
	if (lever_controller(ldev) == lf) {
		u64 now = ktime_get_ns();

		ret = lever_gate_set_watchdog(&ldev->gate, wd.period_ms, now);
		lever_kick(ldev, now);
	}
	spin_unlock_irq(&ldev->lock);
	return ret;
}

static int lever_ioc_get_status(struct lever_file *lf, void __user *arg)
{
	struct lever_dev *ldev = lf->ldev;
	struct lever_status st;

	memset(&st, 0, sizeof(st));
	spin_lock_irq(&ldev->lock);
	st.last = ldev->last;
	st.state = lever_gate_state(&ldev->gate);
	st.faults = lever_gate_faults(&ldev->gate);
	st.samples = ldev->samples;
	st.dropped = ldev->dropped;
	st.fault_count = ldev->gate.fault_count;
	st.watchdog_trips = ldev->gate.watchdog_trips;
	st.commands = ldev->commands;
	st.clamped = ldev->gate.clamped;
	if (lever_controller(ldev))
		st.controller_pid = ldev->controller_pid;
	spin_unlock_irq(&ldev->lock);
	return copy_to_user(arg, &st, sizeof(st)) ? -EFAULT : 0;
}

/* A sample newer than @after shows the board without a latched fault. */
static bool lever_board_ok(struct lever_dev *ldev, u64 after)
{
	bool clear;

	spin_lock_irq(&ldev->lock);
	clear = ldev->samples > after && !ldev->last.board_faults;
	spin_unlock_irq(&ldev->lock);
	return clear;
}

static int lever_ioc_reset_faults(struct lever_file *lf)
{
	struct lever_dev *ldev = lf->ldev;
	struct lever_file *ctl;
	long wait = msecs_to_jiffies(LEVER_RESET_WAIT_MS);
	u32 board_faults;
	u64 seen;
	long ret;

	if (!lf->writable)
		return -EBADF;
	spin_lock_irq(&ldev->lock);
	ctl = lever_controller(ldev);
	board_faults = ldev->last.board_faults;
	spin_unlock_irq(&ldev->lock);
	if (ctl)
		return -EBUSY;

	/* the board first: it refuses while a line is active or belt moves */
	if (board_faults) {
		ret = usb_control_msg_send(ldev->udev, 0,
					   LEVER_REQ_RESET_FAULTS,
					   USB_DIR_OUT | USB_TYPE_VENDOR |
					   USB_RECIP_INTERFACE,
					   0, ldev->ifnum, NULL, 0,
					   LEVER_CTRL_TIMEOUT_MS, GFP_KERNEL);
		if (ret == -EPIPE)
			return -EBUSY;
		if (ret)
			return ret;
		/*
		 * Frames already in flight (the URBs and the board's own
		 * buffer) still show the old faults; wait for a fresh one so
		 * that an ARM right after this call is not refused.
		 */
		spin_lock_irq(&ldev->lock);
		seen = ldev->samples + LEVER_IN_URBS + 1;
		spin_unlock_irq(&ldev->lock);
		ret = wait_event_interruptible_timeout(ldev->wait,
						       lever_board_ok(ldev, seen),
						       wait);
		if (ret < 0)
			return ret;
		if (!lever_board_ok(ldev, seen))
			return -EBUSY;
	}
	spin_lock_irq(&ldev->lock);
	ret = lever_gate_reset_faults(&ldev->gate);
	spin_unlock_irq(&ldev->lock);
	return ret;
}

static long lever_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct lever_file *lf = file->private_data;
	struct lever_dev *ldev = lf->ldev;
	void __user *uarg = (void __user *)arg;
	long ret;

	mutex_lock(&ldev->io_mutex);
	if (ldev->disconnected) {
		ret = -ENODEV;
		goto out;
	}
	switch (cmd) {
	case LEVER_IOC_GET_INFO:
		ret = lever_ioc_get_info(lf, uarg);
		break;
	case LEVER_IOC_ARM:
		ret = lever_ioc_arm(lf);
		break;
	case LEVER_IOC_DISARM:
		ret = lf->writable ? lever_ioc_stop(lf, true) : -EBADF;
		break;
	case LEVER_IOC_COMMAND:
		ret = lever_ioc_command(lf, uarg);
		break;
	case LEVER_IOC_STOP:
		ret = lever_ioc_stop(lf, false);
		break;
	case LEVER_IOC_SET_WATCHDOG:
		ret = lever_ioc_set_watchdog(lf, uarg);
		break;
	case LEVER_IOC_GET_STATUS:
		ret = lever_ioc_get_status(lf, uarg);
		break;
	case LEVER_IOC_RESET_FAULTS:
		ret = lever_ioc_reset_faults(lf);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
out:
	mutex_unlock(&ldev->io_mutex);
	return ret;
}

static const struct file_operations lever_fops = {
	.owner		= THIS_MODULE,
	.open		= lever_open,
	.release	= lever_release,
	.read		= lever_read,
	.poll		= lever_poll,
	.unlocked_ioctl	= lever_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

/* --- sysfs ---------------------------------------------------------------- */

static struct lever_dev *to_lever(struct device *dev)
{
	return container_of(dev, struct lever_dev, dev);
}

static ssize_t serial_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", to_lever(dev)->info.serial);
}
static DEVICE_ATTR_RO(serial);

static ssize_t firmware_version_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct lever_info *info = &to_lever(dev)->info;

	return sysfs_emit(buf, "%u.%u.%u\n", info->fw_major, info->fw_minor,
			  info->fw_patch);
}
static DEVICE_ATTR_RO(firmware_version);

static ssize_t sample_rate_hz_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_lever(dev)->info.sample_rate_hz);
}
static DEVICE_ATTR_RO(sample_rate_hz);

static const char *const lever_state_names[] = {
	[LEVER_STATE_DISARMED]		= "disarmed",
	[LEVER_STATE_ARMED]		= "armed",
	[LEVER_STATE_STOPPING]		= "stopping",
	[LEVER_STATE_FAULT]		= "fault",
	[LEVER_STATE_DISCONNECTED]	= "disconnected",
};

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct lever_dev *ldev = to_lever(dev);
	u32 state;

	spin_lock_irq(&ldev->lock);
	state = ldev->disconnected ? LEVER_STATE_DISCONNECTED :
		lever_gate_state(&ldev->gate);
	spin_unlock_irq(&ldev->lock);
	return sysfs_emit(buf, "%s\n", lever_state_names[state]);
}
static DEVICE_ATTR_RO(state);

static struct attribute *lever_attrs[] = {
	&dev_attr_serial.attr,
	&dev_attr_firmware_version.attr,
	&dev_attr_sample_rate_hz.attr,
	&dev_attr_state.attr,
	NULL
};

static const struct attribute_group lever_group = {
	.attrs = lever_attrs,
};

/*
 * One value per file, units in the name: limits/ (fixed at probe) and
 * counters/ (totals since probe), read under the lock.
 */
#define LEVER_VALUE_ATTR(name, type, fmt, expr)				\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	struct lever_dev *ldev = to_lever(dev);				\
	type v;								\
									\
	spin_lock_irq(&ldev->lock);					\
	v = (expr);							\
	spin_unlock_irq(&ldev->lock);					\
	return sysfs_emit(buf, fmt "\n", v);				\
}									\
static DEVICE_ATTR_RO(name)

LEVER_VALUE_ATTR(max_support_pressure_pa, u32, "%u",
		 ldev->info.max_support_pressure_pa);
LEVER_VALUE_ATTR(max_support_force_mn, s32, "%d",
		 ldev->info.max_support_force_mn);
LEVER_VALUE_ATTR(max_belt_speed_mm_s, s32, "%d",
		 ldev->info.max_belt_speed_mm_s);
LEVER_VALUE_ATTR(max_belt_accel_mm_s2, s32, "%d",
		 ldev->info.max_belt_accel_mm_s2);
LEVER_VALUE_ATTR(stop_decel_mm_s2, s32, "%d", ldev->info.stop_decel_mm_s2);
LEVER_VALUE_ATTR(incline_min_centi_pct, s32, "%d",
		 ldev->info.incline_min_centi_pct);
LEVER_VALUE_ATTR(incline_max_centi_pct, s32, "%d",
		 ldev->info.incline_max_centi_pct);
LEVER_VALUE_ATTR(force_per_pressure_un_pa, u32, "%u",
		 ldev->info.force_per_pressure_un_pa);
LEVER_VALUE_ATTR(max_pressure_slew_pa_s, u32, "%u",
		 ldev->info.max_pressure_slew_pa_s);
LEVER_VALUE_ATTR(board_watchdog_ms, u32, "%u", ldev->info.board_watchdog_ms);

static struct attribute *lever_limit_attrs[] = {
	&dev_attr_max_support_pressure_pa.attr,
	&dev_attr_max_support_force_mn.attr,
	&dev_attr_max_belt_speed_mm_s.attr,
	&dev_attr_max_belt_accel_mm_s2.attr,
	&dev_attr_stop_decel_mm_s2.attr,
	&dev_attr_incline_min_centi_pct.attr,
	&dev_attr_incline_max_centi_pct.attr,
	&dev_attr_force_per_pressure_un_pa.attr,
	&dev_attr_max_pressure_slew_pa_s.attr,
	&dev_attr_board_watchdog_ms.attr,
	NULL
};

static const struct attribute_group lever_limit_group = {
	.name = "limits",
	.attrs = lever_limit_attrs,
};

LEVER_VALUE_ATTR(samples, u64, "%llu", ldev->samples);
LEVER_VALUE_ATTR(dropped, u64, "%llu", ldev->dropped);
LEVER_VALUE_ATTR(bad_frames, u64, "%llu", ldev->bad_frames);
LEVER_VALUE_ATTR(commands, u64, "%llu", ldev->commands);
LEVER_VALUE_ATTR(clamped, u64, "%llu", ldev->gate.clamped);
LEVER_VALUE_ATTR(faults, u64, "%llu", ldev->gate.fault_count);
LEVER_VALUE_ATTR(watchdog_trips, u64, "%llu", ldev->gate.watchdog_trips);

static struct attribute *lever_counter_attrs[] = {
	&dev_attr_samples.attr,
	&dev_attr_dropped.attr,
	&dev_attr_bad_frames.attr,
	&dev_attr_commands.attr,
	&dev_attr_clamped.attr,
	&dev_attr_faults.attr,
	&dev_attr_watchdog_trips.attr,
	NULL
};

static const struct attribute_group lever_counter_group = {
	.name = "counters",
	.attrs = lever_counter_attrs,
};

static const struct attribute_group *lever_groups[] = {
	&lever_group,
	&lever_limit_group,
	&lever_counter_group,
	NULL
};

/* --- probe and disconnect ------------------------------------------------ */

static bool lever_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/*
 * Serial: 1..23 characters of [A-Za-z0-9._-] (it names a /dev link), NUL
 * padded: it is printed with %s, so the 24-byte field keeps its NUL.
 */
static bool lever_serial_ok(const char *s)
{
	size_t len = strnlen(s, LEVER_SERIAL_LEN);
	size_t i;

	if (!len || len == LEVER_SERIAL_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != '-')
			return false;
	return lever_zero(s + len, LEVER_SERIAL_LEN - len);
}

static int lever_get(struct lever_dev *ldev, u8 req, void *buf, u16 size)
{
	return usb_control_msg_recv(ldev->udev, 0, req,
				    USB_DIR_IN | USB_TYPE_VENDOR |
				    USB_RECIP_INTERFACE, 0, ldev->ifnum,
				    buf, size, LEVER_CTRL_TIMEOUT_MS,
				    GFP_KERNEL);
}

/* Reads identity, limits and the board's watchdog; refuses nonsense. */
static int lever_read_board(struct lever_dev *ldev, struct device *log)
{
	struct lever_wire_identity id;
	struct lever_wire_limits wl;
	struct lever_gate_limits gl;
	struct lever_info *info = &ldev->info;
	__le32 wd_le;
	u32 wd_min, wd_max, wd;
	int ret;

	ret = lever_get(ldev, LEVER_REQ_GET_IDENTITY, &id, sizeof(id));
	if (ret) {
		dev_err(log, "cannot read the board's identity: %d\n", ret);
		return ret;
	}
	if (le16_to_cpu(id.protocol_version) != LEVER_WIRE_VERSION ||
	    id.reserved0 || id.reserved1 ||
	    !lever_zero(id.reserved, sizeof(id.reserved)) ||
	    !lever_serial_ok(id.serial) || !le32_to_cpu(id.sample_rate_hz) ||
	    le32_to_cpu(id.sample_rate_hz) > LEVER_RATE_MAX_HZ) {
		dev_err(log, "board identity invalid (protocol %u, rate %u Hz, serial or reserved fields)\n",
			le16_to_cpu(id.protocol_version),
			le32_to_cpu(id.sample_rate_hz));
		return -EINVAL;
	}

	ret = lever_get(ldev, LEVER_REQ_GET_LIMITS, &wl, sizeof(wl));
	if (!ret)
		ret = lever_get(ldev, LEVER_REQ_GET_WATCHDOG, &wd_le,
				sizeof(wd_le));
	if (ret) {
		dev_err(log, "cannot read the board's limits: %d\n", ret);
		return ret;
	}
	lever_limits_from_wire(&gl, &wl);
	wd_min = le32_to_cpu(wl.watchdog_min_ms);
	wd_max = le32_to_cpu(wl.watchdog_max_ms);
	wd = le32_to_cpu(wd_le);
	if (lever_gate_check_limits(&gl) ||
	    (s32)le32_to_cpu(wl.max_support_force_mn) <= 0 ||
	    !le32_to_cpu(wl.force_per_pressure_un_pa) ||
	    !wd_min || wd_min > wd_max ||
	    wd_max > LEVER_BOARD_WATCHDOG_MAX_MS || wd < wd_min ||
	    wd > wd_max || !lever_zero(wl.reserved, sizeof(wl.reserved))) {
		dev_err(log, "board limits out of the sane range (belt %d mm/s, decel %d mm/s^2, pressure %u Pa, watchdog %u ms)\n",
			gl.max_belt_speed_mm_s, gl.stop_decel_mm_s2,
			gl.max_support_pressure_pa, wd);
		return -EINVAL;
	}

	memcpy(info->serial, id.serial, LEVER_SERIAL_MAX);
	info->fw_major = id.fw_major;
	info->fw_minor = id.fw_minor;
	info->fw_patch = id.fw_patch;
	info->protocol_version = LEVER_WIRE_VERSION;
	info->sample_rate_hz = le32_to_cpu(id.sample_rate_hz);
	info->max_support_pressure_pa = gl.max_support_pressure_pa;
	info->max_support_force_mn = (s32)le32_to_cpu(wl.max_support_force_mn);
	info->max_belt_speed_mm_s = gl.max_belt_speed_mm_s;
	info->max_belt_accel_mm_s2 = gl.max_belt_accel_mm_s2;
	info->stop_decel_mm_s2 = gl.stop_decel_mm_s2;
	info->incline_min_centi_pct = gl.incline_min_centi_pct;
	info->incline_max_centi_pct = gl.incline_max_centi_pct;
	info->force_per_pressure_un_pa = le32_to_cpu(wl.force_per_pressure_un_pa);
	info->max_pressure_slew_pa_s = gl.max_pressure_slew_pa_s;
	info->board_watchdog_ms = wd;
	info->watchdog_ms = LEVER_WATCHDOG_DEF_MS;
	lever_gate_init(&ldev->gate, &gl);
	/* the stream starts now: ARM needs a sample within the stale bound */
	return lever_gate_set_sample_rate(&ldev->gate, info->sample_rate_hz,
					  ktime_get_ns());
}

static void lever_dev_release(struct device *dev)
{
	struct lever_dev *ldev = to_lever(dev);
	int i;

	for (i = 0; i < LEVER_IN_URBS; i++) {
		if (ldev->in_urbs[i])
			kfree(ldev->in_urbs[i]->transfer_buffer);
		usb_free_urb(ldev->in_urbs[i]);
	}
	if (ldev->out_urb)
		kfree(ldev->out_urb->transfer_buffer);
	usb_free_urb(ldev->out_urb);
	usb_put_dev(ldev->udev);
	if (ldev->minor >= 0)
		ida_free(&lever_minors, ldev->minor);
	kfree(ldev);
}

static struct urb *lever_alloc_urb(struct lever_dev *ldev, bool in)
{
	size_t len = in ? LEVER_EP_SAMPLE_MAXP : LEVER_EP_COMMAND_MAXP;
	struct urb *urb;
	void *buf;

	urb = usb_alloc_urb(0, GFP_KERNEL);
	if (!urb)
		return NULL;
	buf = kzalloc(len, GFP_KERNEL);
	if (!buf) {
		usb_free_urb(urb);
		return NULL;
	}
	if (in)
		usb_fill_int_urb(urb, ldev->udev, ldev->pipe_in, buf, len,
				 lever_in_complete, ldev, ldev->interval_in);
	else
		usb_fill_int_urb(urb, ldev->udev, ldev->pipe_out, buf, len,
				 lever_out_complete, ldev, ldev->interval_out);
	return urb;
}

static void lever_kill_urbs(struct lever_dev *ldev)
{
	int i;

	for (i = 0; i < LEVER_IN_URBS; i++)
		usb_poison_urb(ldev->in_urbs[i]);
	usb_poison_urb(ldev->out_urb);
}

static int lever_probe(struct usb_interface *intf,
		       const struct usb_device_id *id)
{
	struct usb_host_interface *alt = intf->cur_altsetting;
	struct usb_endpoint_descriptor *ep_in, *ep_out;
	struct lever_dev *ldev;
	int i, ret;

	ret = usb_find_common_endpoints(alt, NULL, NULL, &ep_in, &ep_out);
	if (ret || alt->desc.bNumEndpoints != 2 ||
	    usb_endpoint_maxp(ep_in) != LEVER_EP_SAMPLE_MAXP ||
	    usb_endpoint_maxp(ep_out) != LEVER_EP_COMMAND_MAXP) {
		dev_err(&intf->dev, "not a LEVER board: need exactly one interrupt IN endpoint of %d bytes and one interrupt OUT of %d bytes\n",
			LEVER_EP_SAMPLE_MAXP, LEVER_EP_COMMAND_MAXP);
		return -ENODEV;
	}

	ldev = kzalloc(sizeof(*ldev), GFP_KERNEL);
	if (!ldev)
		return -ENOMEM;
	ldev->minor = -1;
	mutex_init(&ldev->io_mutex);
	spin_lock_init(&ldev->lock);
	INIT_LIST_HEAD(&ldev->files);
	init_waitqueue_head(&ldev->wait);
	hrtimer_init(&ldev->tick_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	ldev->tick_timer.function = lever_tick_fn;
	hrtimer_init(&ldev->wd_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	ldev->wd_timer.function = lever_wd_fn;
	/* from here on, put_device() frees everything */
	device_initialize(&ldev->dev);
	ldev->dev.class = lever_class;
	ldev->dev.parent = &intf->dev;
	ldev->dev.groups = lever_groups;
	ldev->dev.release = lever_dev_release;

	ldev->udev = usb_get_dev(interface_to_usbdev(intf));
	ldev->ifnum = alt->desc.bInterfaceNumber;
	ldev->pipe_in = usb_rcvintpipe(ldev->udev, usb_endpoint_num(ep_in));
	ldev->pipe_out = usb_sndintpipe(ldev->udev, usb_endpoint_num(ep_out));
	ldev->interval_in = ep_in->bInterval;
	ldev->interval_out = ep_out->bInterval;

	ret = lever_read_board(ldev, &intf->dev);
	if (ret)
		goto err_put;

	ret = -ENOMEM;
	for (i = 0; i < LEVER_IN_URBS; i++) {
		ldev->in_urbs[i] = lever_alloc_urb(ldev, true);
		if (!ldev->in_urbs[i])
			goto err_put;
	}
	ldev->out_urb = lever_alloc_urb(ldev, false);
	if (!ldev->out_urb)
		goto err_put;

	ret = lever_gpio_init(&intf->dev, ldev->info.serial, &ldev->gpio);
	if (ret) {
		dev_err(&intf->dev, "cannot register the safety lines: %d\n",
			ret);
		goto err_put;
	}
	ret = lever_input_init(&intf->dev, ldev->udev, &ldev->input);
	if (ret) {
		dev_err(&intf->dev, "cannot register the console: %d\n", ret);
		goto err_gpio;
	}

	ret = ida_alloc_max(&lever_minors, LEVER_MINORS - 1, GFP_KERNEL);
	if (ret < 0)
		goto err_input;
	ldev->minor = ret;
	ldev->dev.devt = MKDEV(MAJOR(lever_devt), ldev->minor);
	ret = dev_set_name(&ldev->dev, "lever%d", ldev->minor);
	if (ret)
		goto err_input;
	cdev_init(&ldev->cdev, &lever_fops);
	ldev->cdev.owner = THIS_MODULE;
	usb_set_intfdata(intf, ldev);

	for (i = 0; i < LEVER_IN_URBS; i++) {
		ret = usb_submit_urb(ldev->in_urbs[i], GFP_KERNEL);
		if (ret) {
			dev_err(&intf->dev, "cannot start the sample stream: %d\n",
				ret);
			goto err_kill;
		}
	}

	ret = cdev_device_add(&ldev->cdev, &ldev->dev);
	if (ret) {
		dev_err(&intf->dev, "cannot add /dev/lever%d: %d\n",
			ldev->minor, ret);
		goto err_kill;
	}
	dev_info(&intf->dev, "LEVER board %s, firmware %u.%u.%u, %u Hz: %s\n",
		 ldev->info.serial, ldev->info.fw_major, ldev->info.fw_minor,
		 ldev->info.fw_patch, ldev->info.sample_rate_hz,
		 dev_name(&ldev->dev));
	return 0;

err_kill:
	lever_kill_urbs(ldev);
	usb_set_intfdata(intf, NULL);
err_input:
	lever_input_remove(ldev->input);
err_gpio:
	lever_gpio_remove(ldev->gpio);
err_put:
	put_device(&ldev->dev);
	return ret;
}

/*
 * Ends the gate's control at @now for an unbind, a reset or a lost link:
 * IO fault latched, controlled stop. True and *@f filled when the board
 * must hear a stop frame.
 */
static bool lever_end_control(struct lever_dev *ldev, u64 now,
			      struct lever_gate_frame *f)
{
	lockdep_assert_held(&ldev->lock);
	if (!lever_gate_active(ldev))
		return false;
	lever_gate_io_fault(&ldev->gate, now);
	return lever_gate_tick(&ldev->gate, now, f);
}

/* Timers and URBs stopped, for a reset or suspend (not a disconnect). */
static void lever_pause(struct lever_dev *ldev)
{
	int i;

	hrtimer_cancel(&ldev->wd_timer);
	hrtimer_cancel(&ldev->tick_timer);
	spin_lock_irq(&ldev->lock);
	ldev->tick_running = false;
	spin_unlock_irq(&ldev->lock);
	for (i = 0; i < LEVER_IN_URBS; i++)
		usb_kill_urb(ldev->in_urbs[i]);
	usb_kill_urb(ldev->out_urb);
}

static int lever_resume_io(struct lever_dev *ldev, gfp_t gfp)
{
	int i, ret = 0;

	spin_lock_irq(&ldev->lock);
	ldev->paused = false;
	ldev->in_errors = 0;
	ldev->have_seq = false;
	lever_kick(ldev, ktime_get_ns());
	spin_unlock_irq(&ldev->lock);
	for (i = 0; i < LEVER_IN_URBS && !ret; i++)
		ret = usb_submit_urb(ldev->in_urbs[i], gfp);
	if (ret)
		dev_err(&ldev->dev, "cannot restart the sample stream: %d\n",
			ret);
	return ret;
}

/* USBDEVFS_RESET and the like: stop the belt, the controller loses it. */
static int lever_pre_reset(struct usb_interface *intf)
{
	struct lever_dev *ldev = usb_get_intfdata(intf);
	struct lever_gate_frame f;
	bool stop;

	/* held until post_reset: no ioctl sees a half-reset board */
	mutex_lock(&ldev->io_mutex);
	spin_lock_irq(&ldev->lock);
	stop = lever_end_control(ldev, ktime_get_ns(), &f);
	ldev->paused = true;
	spin_unlock_irq(&ldev->lock);
	lever_pause(ldev);
	if (stop)
		lever_send_final(ldev, &f);
	return 0;
}

static int lever_post_reset(struct usb_interface *intf)
{
	struct lever_dev *ldev = usb_get_intfdata(intf);

	/* the gate stays stopped: nothing moves until a reset and new arm */
	lever_resume_io(ldev, GFP_NOIO);
	mutex_unlock(&ldev->io_mutex);
	return 0;
}

/*
 * A suspended board cannot be watched. An autosuspend is refused while a
 * controller holds the gate; a system sleep cannot be refused (usbcore
 * ignores an interface's error then and suspends the port anyway), so
 * the belt is stopped first: IO fault latched, the stop frame sent and
 * waited for. After the resume the stop runs to its end in FAULT, and
 * nothing moves until a fault reset and a new arm.
 */
static int lever_suspend(struct usb_interface *intf, pm_message_t message)
{
	struct lever_dev *ldev = usb_get_intfdata(intf);
	struct lever_gate_frame f;
	bool stop = false;
	int ret = 0;

	mutex_lock(&ldev->io_mutex);
	spin_lock_irq(&ldev->lock);
	if (PMSG_IS_AUTO(message) && lever_gate_active(ldev))
		ret = -EBUSY;
	else
		stop = lever_end_control(ldev, ktime_get_ns(), &f);
	if (!ret)
		ldev->paused = true;
	spin_unlock_irq(&ldev->lock);
	if (!ret) {
		lever_pause(ldev);
		if (stop) {
			dev_warn(&ldev->dev, "system sleep while the belt is under control: stopping it\n");
			lever_send_final(ldev, &f);
		}
	}
	mutex_unlock(&ldev->io_mutex);
	return ret;
}

static int lever_resume(struct usb_interface *intf)
{
	struct lever_dev *ldev = usb_get_intfdata(intf);
	int ret;

	mutex_lock(&ldev->io_mutex);
	ret = lever_resume_io(ldev, GFP_NOIO);
	mutex_unlock(&ldev->io_mutex);
	return ret;
}

static void lever_disconnect(struct usb_interface *intf)
{
	struct lever_dev *ldev = usb_get_intfdata(intf);
	struct lever_gate_frame f;
	bool stop;

	mutex_lock(&ldev->io_mutex);
	spin_lock_irq(&ldev->lock);
	stop = lever_end_control(ldev, ktime_get_ns(), &f);
	ldev->disconnected = true;
	ldev->controller = NULL;
	spin_unlock_irq(&ldev->lock);
	mutex_unlock(&ldev->io_mutex);
	wake_up_interruptible_all(&ldev->wait);

	/* the node goes first: no new open finds a dying board */
	cdev_device_del(&ldev->cdev, &ldev->dev);
	/* a replugged board may have the number again */
	ida_free(&lever_minors, ldev->minor);
	ldev->minor = -1;

	/* no callback re-arms a timer or resubmits once disconnected is set */
	hrtimer_cancel(&ldev->wd_timer);
	hrtimer_cancel(&ldev->tick_timer);
	lever_kill_urbs(ldev);
	/*
	 * soft_unbind: on an unbind (rmmod, sysfs, a reset without
	 * pre_reset) the board is still there and its endpoints enabled, so
	 * it hears the stop now, not after its own watchdog.
	 */
	if (stop)
		lever_send_final(ldev, &f);
	/* no completion runs any more, so no update races the removal */
	lever_input_remove(ldev->input);
	lever_gpio_remove(ldev->gpio);
	ldev->input = NULL;
	ldev->gpio = NULL;

	usb_set_intfdata(intf, NULL);
	dev_info(&intf->dev, "LEVER board %s disconnected\n",
		 ldev->info.serial);
	put_device(&ldev->dev);
}

static const struct usb_device_id lever_ids[] = {
	{ USB_DEVICE_AND_INTERFACE_INFO(LEVER_USB_VID, LEVER_USB_PID,
					LEVER_USB_CLASS, LEVER_USB_SUBCLASS,
					LEVER_USB_PROTOCOL) },
	{ }
};
MODULE_DEVICE_TABLE(usb, lever_ids);

static struct usb_driver lever_driver = {
	.name		= "lever",
	.probe		= lever_probe,
	.disconnect	= lever_disconnect,
	.suspend	= lever_suspend,
	.resume		= lever_resume,
	.reset_resume	= lever_resume,
	.pre_reset	= lever_pre_reset,
	.post_reset	= lever_post_reset,
	.id_table	= lever_ids,
	.soft_unbind	= 1,
};

static int __init lever_init(void)
{
	int ret;

	lever_class = class_create(THIS_MODULE, "lever");
	if (IS_ERR(lever_class))
		return PTR_ERR(lever_class);
	ret = alloc_chrdev_region(&lever_devt, 0, LEVER_MINORS, "lever");
	if (ret)
		goto err_class;
	ret = usb_register(&lever_driver);
	if (ret)
		goto err_region;
	return 0;

err_region:
	unregister_chrdev_region(lever_devt, LEVER_MINORS);
err_class:
	class_destroy(lever_class);
	return ret;
}

static void __exit lever_exit(void)
{
	usb_deregister(&lever_driver);
	lever_gpio_exit();
	unregister_chrdev_region(lever_devt, LEVER_MINORS);
	class_destroy(lever_class);
	ida_destroy(&lever_minors);
}

module_init(lever_init);
module_exit(lever_exit);

MODULE_DESCRIPTION("LEVER body-weight-support treadmill controller");
MODULE_AUTHOR("The LEVER developers");
MODULE_LICENSE("GPL");
