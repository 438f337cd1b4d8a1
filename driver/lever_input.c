// SPDX-License-Identifier: GPL-2.0
/*
 * lever_input.c - the board's console buttons as the input device
 * "LEVER console", one standard key code per button, for libevdev. Key
 * events only inform the daemon; nothing here may command the belt, and
 * the update path never sleeps.
 */
#include <linux/input.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/usb.h>
#include <linux/usb/input.h>

#include "lever_wire.h"
#include "lever_input.h"

/*
 * Play, Pause and Stop are what hid-input makes of the HID consumer-page
 * usages 0xb0, 0xb1 and 0xb7, so a generic USB media pendant gives the
 * daemon the same codes. Arrow keys for belt speed and page keys for
 * support let an ordinary keyboard stand in for the console.
 * Documentation/userspace-api/lever-gpio-input.rst is the reference.
 */
static const unsigned short lever_input_keycodes[LEVER_BTN_COUNT] = {
	KEY_PLAY,	/* LEVER_BTN_START */
	KEY_STOPCD,	/* LEVER_BTN_STOP */
	KEY_PAUSE,	/* LEVER_BTN_PAUSE */
	KEY_HELP,	/* LEVER_BTN_PAIN: the runner asks for help */
	KEY_UP,		/* LEVER_BTN_SPEED_UP */
	KEY_DOWN,	/* LEVER_BTN_SPEED_DOWN */
	KEY_PAGEUP,	/* LEVER_BTN_SUPPORT_UP: more body weight carried */
	KEY_PAGEDOWN,	/* LEVER_BTN_SUPPORT_DOWN */
};

struct lever_input {
	struct input_dev *input;
	spinlock_t lock;		/* buttons, removed */
	u16 buttons;			/* LEVER_BTN_* last reported */
	bool removed;
	char phys[64];
};

int lever_input_init(struct device *parent, struct usb_device *udev,
		     struct lever_input **out)
{
	struct lever_input *in;
	struct input_dev *input;
	unsigned int i;
	int ret;

	in = kzalloc(sizeof(*in), GFP_KERNEL);
	if (!in)
		return -ENOMEM;
	spin_lock_init(&in->lock);

	input = input_allocate_device();
	if (!input) {
		ret = -ENOMEM;
		goto err_free;
	}
	in->input = input;

	usb_make_path(udev, in->phys, sizeof(in->phys));
	strlcat(in->phys, "/input0", sizeof(in->phys));
	input->name = "LEVER console";
	input->phys = in->phys;
	usb_to_input_id(udev, &input->id);
	input->dev.parent = parent;

	/*
	 * No EV_REP: a held button is one press, never a stream of them;
	 * the daemon decides what holding means. No keycode table either:
	 * the mapping is part of the documented ABI, and a remap (hwdb,
	 * EVIOCSKEYCODE) could turn the pain button into something else.
	 */
	__set_bit(EV_KEY, input->evbit);
	for (i = 0; i < ARRAY_SIZE(lever_input_keycodes); i++)
		__set_bit(lever_input_keycodes[i], input->keybit);

	ret = input_register_device(input);
	if (ret) {
		dev_err(parent, "LEVER console input device: register failed: %d\n",
			ret);
		goto err_input;
	}
	*out = in;
	return 0;

err_input:
	input_free_device(input);
err_free:
	kfree(in);
	return ret;
}

void lever_input_update(struct lever_input *in, u16 buttons)
{
	unsigned long changed, flags;
	unsigned int i;

	spin_lock_irqsave(&in->lock, flags);
	if (in->removed)
		goto out;
	changed = (in->buttons ^ buttons) & GENMASK(LEVER_BTN_COUNT - 1, 0);
	in->buttons = buttons;
	if (!changed)
		goto out;
	for_each_set_bit(i, &changed, LEVER_BTN_COUNT)
		input_report_key(in->input, lever_input_keycodes[i],
				 buttons & BIT(i));
	input_sync(in->input);
out:
	spin_unlock_irqrestore(&in->lock, flags);
}

void lever_input_remove(struct lever_input *in)
{
	unsigned long flags;

	if (!in)
		return;
	spin_lock_irqsave(&in->lock, flags);
	in->removed = true;
	spin_unlock_irqrestore(&in->lock, flags);
	/*
	 * Releases the keys still down and drops our reference; an evdev
	 * file still open keeps its own on the input_dev, none on us.
	 */
	input_unregister_device(in->input);
	kfree(in);
}
