// SPDX-License-Identifier: GPL-2.0
/*
 * lever_gpio.c - the board's safety lines as the read-only gpio_chip
 * "lever-safety" with edge interrupts, for libgpiod. Values come from the
 * latest sample frame; this file never drives a line, never sleeps in the
 * update path and never frees its state while an interrupt is requested.
 */
#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/gpio/driver.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "lever_wire.h"
#include "lever_gpio.h"

/* Line offsets: the order userspace sees in gpioinfo. */
enum {
	LEVER_GPIO_ESTOP,
	LEVER_GPIO_SAFETY_KEY,
	LEVER_GPIO_HARNESS,
	LEVER_GPIO_NLINES
};

static const char * const lever_gpio_names[LEVER_GPIO_NLINES] = {
	[LEVER_GPIO_ESTOP]	= "estop",
	[LEVER_GPIO_SAFETY_KEY]	= "safety-key",
	[LEVER_GPIO_HARNESS]	= "harness",
};

/*
 * The names go in as a device property, not as gpio_chip.names: Linux
 * 6.1's check of gc->names against every registered chip dereferences a
 * chip that was removed while userspace still held one of its lines, which
 * is exactly what a replugged board would meet.
 */
static const struct property_entry lever_gpio_props[] = {
	PROPERTY_ENTRY_STRING_ARRAY("gpio-line-names", lever_gpio_names),
	{ }
};

static const u16 lever_gpio_wire_bit[LEVER_GPIO_NLINES] = {
	[LEVER_GPIO_ESTOP]	= LEVER_LINE_ESTOP,
	[LEVER_GPIO_SAFETY_KEY]	= LEVER_LINE_SAFETY_KEY,
	[LEVER_GPIO_HARNESS]	= LEVER_LINE_HARNESS,
};

/*
 * Not devm-managed: an event file that userspace keeps open holds an
 * interrupt of this chip past the unbind of the interface, and the irq
 * descriptors point at this struct until that interrupt is freed. Even
 * the release of the last interrupt is no safe point to free it: free_irq()
 * still uses the descriptor and reads the domain after our
 * irq_release_resources() returns, and offers no hook for its end. So a
 * removed chip that ever had an interrupt requested waits on
 * lever_gpio_graveyard until the module goes (no free_irq() of ours can be
 * running then: the irq descriptors are ours, allocated with this module
 * as their owner, so the irq core holds a reference on the module from
 * request_irq() until free_irq() has returned); one that never had one is
 * freed at once.
 *
 * Module references and Linux 6.1's gpiolib: a chip counts a reference on
 * its owner for every requested line, and gpiod_free() forgets to drop it
 * when the line is released after the chip was removed (leverd holds the
 * e-stop line across every unplug), so lever.ko could never be unloaded
 * again before a reboot. The chip therefore hangs from a driverless
 * platform device of its own (gpiolib takes the owner from the parent's
 * driver) and names no owner: gpiolib counts nothing against lever.ko.
 * What must keep the module is covered otherwise: the chip's callbacks
 * end at gpiochip_remove() in disconnect, before any module exit; the
 * irq_chip's by the irq descriptors' owner above. The platform device is
 * freed by the driver core, so a gpio_device that 6.1 leaks keeps no
 * pointer into this module's memory.
 */
struct lever_gpio {
	struct gpio_chip chip;
	struct platform_device *pdev;	/* the chip's parent, see above */
	struct fwnode_handle *fwnode;	/* carries the line names */
	/* Our own, so gpiolib cannot dispose of mappings still in use. */
	struct irq_domain *domain;
	int irq_base;			/* our descriptors, one per line */
	/*
	 * Raw: taken inside the irq core's raw desc->lock by the irq_chip
	 * callbacks, and with interrupts off in the URB completion.
	 */
	raw_spinlock_t lock;
	u16 lines;			/* by offset: BIT(offset) = line true */
	unsigned long irq_unmasked;	/* by offset */
	unsigned int irq_type[LEVER_GPIO_NLINES]; /* IRQ_TYPE_EDGE_* */
	unsigned int irqs_requested;	/* interrupts with resources held */
	bool irqs_ever;			/* one was requested at some time */
	bool quiet;			/* removal began: raise nothing */
	struct list_head grave;		/* on lever_gpio_graveyard */
	char serial[LEVER_SERIAL_LEN + 1];
};

static LIST_HEAD(lever_gpio_graveyard);
static DEFINE_MUTEX(lever_gpio_graveyard_lock);

static int lever_gpio_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	return GPIO_LINE_DIRECTION_IN;
}

static int lever_gpio_direction_input(struct gpio_chip *gc,
				      unsigned int offset)
{
	return 0;
}

/* The safety lines belong to the board's hard-wired circuit. */
static int lever_gpio_direction_output(struct gpio_chip *gc,
				       unsigned int offset, int value)
{
	return -EPERM;
}

/*
 * gpiolib only calls set() on a line whose direction is output, and
 * direction_output() never succeeds; this exists so that no path can find
 * a NULL operation.
 */
static void lever_gpio_set(struct gpio_chip *gc, unsigned int offset,
			   int value)
{
}

static int lever_gpio_get(struct gpio_chip *gc, unsigned int offset)
{
	struct lever_gpio *g = gpiochip_get_data(gc);
	unsigned long flags;
	int value;

	raw_spin_lock_irqsave(&g->lock, flags);
	value = !!(g->lines & BIT(offset));
	raw_spin_unlock_irqrestore(&g->lock, flags);
	return value;
}

static int lever_gpio_get_multiple(struct gpio_chip *gc, unsigned long *mask,
				   unsigned long *bits)
{
	struct lever_gpio *g = gpiochip_get_data(gc);
	unsigned long flags;

	raw_spin_lock_irqsave(&g->lock, flags);
	*bits = (*bits & ~*mask) | (g->lines & *mask);
	raw_spin_unlock_irqrestore(&g->lock, flags);
	return 0;
}

static void lever_gpio_irq_mask(struct irq_data *d)
{
	struct lever_gpio *g = irq_data_get_irq_chip_data(d);
	irq_hw_number_t hwirq = irqd_to_hwirq(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&g->lock, flags);
	__clear_bit(hwirq, &g->irq_unmasked);
	raw_spin_unlock_irqrestore(&g->lock, flags);
	gpiochip_disable_irq(&g->chip, hwirq);
}

static void lever_gpio_irq_unmask(struct irq_data *d)
{
	struct lever_gpio *g = irq_data_get_irq_chip_data(d);
	irq_hw_number_t hwirq = irqd_to_hwirq(d);
	unsigned long flags;

	gpiochip_enable_irq(&g->chip, hwirq);
	raw_spin_lock_irqsave(&g->lock, flags);
	__set_bit(hwirq, &g->irq_unmasked);
	raw_spin_unlock_irqrestore(&g->lock, flags);
}

/* Edges only: a level interrupt would fire on every sample frame. */
static int lever_gpio_irq_set_type(struct irq_data *d, unsigned int type)
{
	struct lever_gpio *g = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	type &= IRQ_TYPE_SENSE_MASK;
	if (type & ~IRQ_TYPE_EDGE_BOTH || !type)
		return -EINVAL;

	raw_spin_lock_irqsave(&g->lock, flags);
	g->irq_type[irqd_to_hwirq(d)] = type;
	raw_spin_unlock_irqrestore(&g->lock, flags);
	return 0;
}

/* Called from request_irq()/free_irq() with the desc's request mutex. */
static int lever_gpio_irq_reqres(struct irq_data *d)
{
	struct lever_gpio *g = irq_data_get_irq_chip_data(d);
	unsigned long flags;
	int ret;

	ret = gpiochip_reqres_irq(&g->chip, irqd_to_hwirq(d));
	if (ret)
		return ret;
	raw_spin_lock_irqsave(&g->lock, flags);
	g->irqs_requested++;
	g->irqs_ever = true;
	raw_spin_unlock_irqrestore(&g->lock, flags);
	return 0;
}

static void lever_gpio_irq_relres(struct irq_data *d)
{
	struct lever_gpio *g = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	/* @g stays until module exit once an irq was requested: no race */
	gpiochip_relres_irq(&g->chip, irqd_to_hwirq(d));
	raw_spin_lock_irqsave(&g->lock, flags);
	g->irqs_requested--;
	raw_spin_unlock_irqrestore(&g->lock, flags);
}

/*
 * No irq_bus_lock: mask, unmask and the trigger type only decide what
 * lever_gpio_update() raises; nothing is sent to the board, whose lines
 * arrive in every sample frame anyway.
 */
static const struct irq_chip lever_gpio_irq_chip = {
	.name			= "lever-safety",
	.irq_mask		= lever_gpio_irq_mask,
	.irq_unmask		= lever_gpio_irq_unmask,
	.irq_set_type		= lever_gpio_irq_set_type,
	.irq_request_resources	= lever_gpio_irq_reqres,
	.irq_release_resources	= lever_gpio_irq_relres,
	.flags			= IRQCHIP_IMMUTABLE | IRQCHIP_SKIP_SET_WAKE,
};

static int lever_gpio_irq_map(struct irq_domain *domain, unsigned int irq,
			      irq_hw_number_t hwirq)
{
	struct lever_gpio *g = domain->host_data;

	if (hwirq >= LEVER_GPIO_NLINES)
		return -ENXIO;
	irq_set_chip_data(irq, g);
	irq_set_chip_and_handler(irq, &lever_gpio_irq_chip, handle_simple_irq);
	irq_set_noprobe(irq);
	return 0;
}

static void lever_gpio_irq_unmap(struct irq_domain *domain, unsigned int irq)
{
	irq_set_chip_and_handler(irq, NULL, NULL);
	irq_set_chip_data(irq, NULL);
}

static const struct irq_domain_ops lever_gpio_domain_ops = {
	.map	= lever_gpio_irq_map,
	.unmap	= lever_gpio_irq_unmap,
	.xlate	= irq_domain_xlate_twocell,
};

/* Each mapping goes with its descriptor, then the domain. */
static void lever_gpio_free_domain(struct lever_gpio *g)
{
	unsigned int offset;

	for (offset = 0; offset < LEVER_GPIO_NLINES; offset++)
		irq_dispose_mapping(irq_find_mapping(g->domain, offset));
	irq_domain_remove(g->domain);
}

int lever_gpio_init(struct device *parent, const char *serial,
		    struct lever_gpio **out)
{
	struct lever_gpio *g;
	struct gpio_chip *gc;
	int ret;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	raw_spin_lock_init(&g->lock);
	INIT_LIST_HEAD(&g->grave);
	strscpy(g->serial, serial ? serial : "", sizeof(g->serial));

	g->fwnode = fwnode_create_software_node(lever_gpio_props, NULL);
	if (IS_ERR(g->fwnode)) {
		ret = PTR_ERR(g->fwnode);
		goto err_free;
	}
	/* irq_alloc_descs() makes this module their owner; 0 is no irq */
	g->irq_base = irq_alloc_descs(-1, 1, LEVER_GPIO_NLINES, NUMA_NO_NODE);
	if (g->irq_base < 0) {
		ret = g->irq_base;
		goto err_fwnode;
	}
	g->domain = irq_domain_create_legacy(NULL, LEVER_GPIO_NLINES,
					     g->irq_base, 0,
					     &lever_gpio_domain_ops, g);
	if (!g->domain) {
		irq_free_descs(g->irq_base, LEVER_GPIO_NLINES);
		ret = -ENOMEM;
		goto err_fwnode;
	}
	g->pdev = platform_device_register_data(parent, "lever-safety",
						PLATFORM_DEVID_AUTO, NULL, 0);
	if (IS_ERR(g->pdev)) {
		ret = PTR_ERR(g->pdev);
		goto err_domain;
	}

	gc = &g->chip;
	gc->label = "lever-safety";
	gc->parent = &g->pdev->dev;
	gc->fwnode = g->fwnode;
	gc->owner = NULL;	/* see struct lever_gpio */
	gc->base = -1;
	gc->ngpio = LEVER_GPIO_NLINES;
	gc->can_sleep = false;
	gc->get_direction = lever_gpio_get_direction;
	gc->direction_input = lever_gpio_direction_input;
	gc->direction_output = lever_gpio_direction_output;
	gc->get = lever_gpio_get;
	gc->get_multiple = lever_gpio_get_multiple;
	gc->set = lever_gpio_set;

	ret = gpiochip_irqchip_add_domain(gc, g->domain);
	if (ret)
		goto err_pdev;
	ret = gpiochip_add_data(gc, g);
	if (ret) {
		dev_err(parent, "lever-safety gpio_chip: add failed: %d\n",
			ret);
		goto err_pdev;
	}
	*out = g;
	return 0;

err_pdev:
	platform_device_unregister(g->pdev);
err_domain:
	lever_gpio_free_domain(g);
err_fwnode:
	fwnode_remove_software_node(g->fwnode);
err_free:
	kfree(g);
	return ret;
}

void lever_gpio_update(struct lever_gpio *g, u16 lines)
{
	unsigned long changed, fire = 0, flags;
	unsigned int offset;
	u16 now = 0;

	for (offset = 0; offset < LEVER_GPIO_NLINES; offset++)
		if (lines & lever_gpio_wire_bit[offset])
			now |= BIT(offset);

	raw_spin_lock_irqsave(&g->lock, flags);
	if (g->quiet) {
		raw_spin_unlock_irqrestore(&g->lock, flags);
		return;
	}
	changed = g->lines ^ now;
	g->lines = now;
	for_each_set_bit(offset, &changed, LEVER_GPIO_NLINES) {
		unsigned int edge = now & BIT(offset) ?
			IRQ_TYPE_EDGE_RISING : IRQ_TYPE_EDGE_FALLING;

		if (test_bit(offset, &g->irq_unmasked) &&
		    g->irq_type[offset] & edge)
			__set_bit(offset, &fire);
	}
	raw_spin_unlock_irqrestore(&g->lock, flags);

	/*
	 * Outside our lock: the irq core calls mask/unmask under its desc
	 * lock, which then takes ours. The handlers behind these interrupts
	 * (gpiolib-cdev) only take a timestamp here and read the value from
	 * their thread, which sees the value stored above.
	 */
	for_each_set_bit(offset, &fire, LEVER_GPIO_NLINES)
		generic_handle_domain_irq_safe(g->domain, offset);
}

static void lever_gpio_free(struct lever_gpio *g)
{
	lever_gpio_free_domain(g);
	fwnode_remove_software_node(g->fwnode);
	kfree(g);
}

void lever_gpio_remove(struct lever_gpio *g)
{
	unsigned long flags;
	unsigned int offset;
	bool ever;

	if (!g)
		return;

	raw_spin_lock_irqsave(&g->lock, flags);
	g->quiet = true;
	raw_spin_unlock_irqrestore(&g->lock, flags);

	/*
	 * No update raises an interrupt any more (the caller has killed the
	 * URBs, and quiet is set); let the handlers of the last ones finish
	 * before the chip they read goes away.
	 */
	for (offset = 0; offset < LEVER_GPIO_NLINES; offset++) {
		unsigned int irq = irq_find_mapping(g->domain, offset);

		if (irq)
			synchronize_irq(irq);
	}

	/*
	 * After this no new interrupt can be requested: gpiolib-cdev checks
	 * for the chip under the device's semaphore that gpiochip_remove()
	 * takes for writing.
	 */
	gpiochip_remove(&g->chip);
	platform_device_unregister(g->pdev);

	raw_spin_lock_irqsave(&g->lock, flags);
	ever = g->irqs_ever;
	raw_spin_unlock_irqrestore(&g->lock, flags);
	if (!ever) {
		lever_gpio_free(g);
		return;
	}
	mutex_lock(&lever_gpio_graveyard_lock);
	list_add_tail(&g->grave, &lever_gpio_graveyard);
	mutex_unlock(&lever_gpio_graveyard_lock);
}

void lever_gpio_exit(void)
{
	struct lever_gpio *g, *tmp;

	mutex_lock(&lever_gpio_graveyard_lock);
	list_for_each_entry_safe(g, tmp, &lever_gpio_graveyard, grave) {
		list_del(&g->grave);
		/* a requester would hold a module reference: none left */
		WARN_ON(g->irqs_requested);
		lever_gpio_free(g);
	}
	mutex_unlock(&lever_gpio_graveyard_lock);
}
