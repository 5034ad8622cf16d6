// SPDX-License-Identifier: GPL-2.0
/*
 * netdoctor lab stand-in for the Realtek r8152 driver: a real, loadable out-of-tree module that
 * DKMS builds and installs under updates/ like realtek-r8152-dkms does, so that depmod/modinfo
 * prefer it over the in-tree r8152. It registers a USB driver named r8152 with an EMPTY id
 * table: it binds no device. The lab has no USB NIC and its kernel loads no modules; this
 * module exists to exercise packaging, DKMS, pinning and initramfs handling for real.
 */
#include <linux/module.h>
#include <linux/usb.h>

static const struct usb_device_id nd_lab_r8152_table[] = {
	{ }
};
MODULE_DEVICE_TABLE(usb, nd_lab_r8152_table);

static int nd_lab_r8152_probe(struct usb_interface *intf, const struct usb_device_id *id)
{
	return -ENODEV;
}

static void nd_lab_r8152_disconnect(struct usb_interface *intf)
{
}

static struct usb_driver nd_lab_r8152_driver = {
	.name = "r8152",
	.id_table = nd_lab_r8152_table,
	.probe = nd_lab_r8152_probe,
	.disconnect = nd_lab_r8152_disconnect,
};

module_usb_driver(nd_lab_r8152_driver);

MODULE_DESCRIPTION("netdoctor lab stand-in for r8152 (binds no device)");
MODULE_LICENSE("GPL");
MODULE_VERSION(ND_LAB_VERSION);
