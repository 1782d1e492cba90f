// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_test_main.c - vfio_test: emulated devices in synthetic IOMMU groups
 * for the test suite (the role nfit_test plays for ndctl).  Tests only.
 *
 * Group 0 holds @multi devices, groups 1..@nr_groups-1 one device each.
 * Devices are platform devices "vfio_test.N" with one 4 KiB read/write
 * region, one eventfd interrupt and a capability chain in GET_INFO.  A mock
 * IOMMU backend (type VFIO_TEST_IOMMU) accepts only these groups and
 * records MAP_DMA/UNMAP_DMA.  debugfs vfio_test/external drives the
 * external-user protocol and the vfio_file_* exports on a caller's fd.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vfio.h"
#include "vfio_test.h"

static unsigned int nr_groups = 2;
module_param(nr_groups, uint, 0444);
MODULE_PARM_DESC(nr_groups, "synthetic IOMMU groups (default 2)");

static unsigned int multi = 2;
module_param(multi, uint, 0444);
MODULE_PARM_DESC(multi, "devices in the first group (default 2)");

static bool noiommu;
module_param(noiommu, bool, 0444);
MODULE_PARM_DESC(noiommu,
		 "also register vfio_test_noiommu.0 without an IOMMU group, as a bus driver does (needs vfio's enable_unsafe_noiommu_mode)");

/* The iommudata of our groups: the mock backend takes nothing else. */
static char vfio_test_marker;

struct vfio_test_dev {
	struct platform_device	*pdev;
	struct iommu_group	*group;
	struct mutex		lock;		/* region, trigger, opens */
	u8			region[VFIO_TEST_REGION_SIZE];
	struct eventfd_ctx	*trigger;
	unsigned int		opens;
	unsigned int		requests;
	bool			unregistered;	/* by debugfs "unregister" */
};

static struct vfio_test_dev **devs;
static unsigned int nr_devs;
static struct iommu_group **groups;
static struct vfio_test_dev *noiommu_dev;

/* ---------------------------------------------------------------- device ops */

static int vfio_test_open(void *device_data)
{
	struct vfio_test_dev *vdev = device_data;

	mutex_lock(&vdev->lock);
	vdev->opens++;
	mutex_unlock(&vdev->lock);
	return 0;
}

static void vfio_test_release(void *device_data)
{
	struct vfio_test_dev *vdev = device_data;

	mutex_lock(&vdev->lock);
	if (!--vdev->opens && vdev->trigger) {
		eventfd_ctx_put(vdev->trigger);
		vdev->trigger = NULL;
	}
	mutex_unlock(&vdev->lock);
}

static long vfio_test_get_info(struct vfio_test_dev *vdev, unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_test_cap cap = {
		.header.id = VFIO_TEST_CAP_ID,
		.header.version = 1,
		.magic = VFIO_TEST_CAP_MAGIC,
	};
	struct vfio_info_cap caps = {};
	struct vfio_device_info info;
	struct vfio_info_cap_header *hdr;
	int ret;

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	info.flags = VFIO_DEVICE_FLAGS_PLATFORM | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = 1;
	info.num_irqs = 1;

	/* Two capabilities: one copied whole, one filled in place. */
	ret = vfio_info_add_capability(&caps, &cap.header, sizeof(cap));
	if (ret)
		return ret;
	hdr = vfio_info_cap_add(&caps, sizeof(cap), VFIO_TEST_CAP_ID, 2);
	if (IS_ERR(hdr))
		return PTR_ERR(hdr);
	container_of(hdr, struct vfio_test_cap, header)->magic =
		~VFIO_TEST_CAP_MAGIC;

	if (info.argsz >= offsetofend(struct vfio_device_info, cap_offset)) {
		minsz = offsetofend(struct vfio_device_info, cap_offset);
		info.flags |= VFIO_DEVICE_FLAGS_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			/* Tell the user how much room the chain needs. */
			info.argsz = sizeof(info) + caps.size;
			info.cap_offset = 0;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user((void __user *)arg + sizeof(info),
					 caps.buf, caps.size)) {
				kfree(caps.buf);
				return -EFAULT;
			}
			info.cap_offset = sizeof(info);
		}
	}
	kfree(caps.buf);

	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

static long vfio_test_set_irqs(struct vfio_test_dev *vdev, unsigned long arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	s32 fd;
	int ret;

	if (copy_from_user(&hdr, (void __user *)arg, minsz))
		return -EFAULT;
	ret = vfio_set_irqs_validate_and_prepare(&hdr, 1, 1, &data_size);
	if (ret)
		return ret;
	if ((hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
	    VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;

	mutex_lock(&vdev->lock);
	switch (hdr.flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		if (!hdr.count) {
			if (vdev->trigger)
				eventfd_ctx_put(vdev->trigger);
			vdev->trigger = NULL;
		} else if (vdev->trigger) {
			/* Loopback: fire the interrupt from userspace. */
			vfioctl_eventfd_signal(vdev->trigger);
		}
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		if (copy_from_user(&fd, (void __user *)arg + minsz,
				   sizeof(fd))) {
			ret = -EFAULT;
			break;
		}
		if (vdev->trigger)
			eventfd_ctx_put(vdev->trigger);
		vdev->trigger = NULL;
		if (fd >= 0) {
			struct eventfd_ctx *ctx = eventfd_ctx_fdget(fd);

			if (IS_ERR(ctx))
				ret = PTR_ERR(ctx);
			else
				vdev->trigger = ctx;
		}
		break;
	default:
		ret = -EINVAL;
	}
	mutex_unlock(&vdev->lock);
	return ret;
}

static long vfio_test_ioctl(void *device_data, unsigned int cmd,
			    unsigned long arg)
{
	struct vfio_test_dev *vdev = device_data;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return vfio_test_get_info(vdev, arg);
	case VFIO_DEVICE_GET_REGION_INFO: {
		unsigned long minsz = offsetofend(struct vfio_region_info,
						  offset);
		struct vfio_region_info info;

		if (copy_from_user(&info, (void __user *)arg, minsz))
			return -EFAULT;
		if (info.argsz < minsz || info.index != 0)
			return -EINVAL;
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
		info.size = VFIO_TEST_REGION_SIZE;
		info.offset = 0;
		return copy_to_user((void __user *)arg, &info, minsz) ?
			-EFAULT : 0;
	}
	case VFIO_DEVICE_GET_IRQ_INFO: {
		unsigned long minsz = offsetofend(struct vfio_irq_info, count);
		struct vfio_irq_info info;

		if (copy_from_user(&info, (void __user *)arg, minsz))
			return -EFAULT;
		if (info.argsz < minsz || info.index != 0)
			return -EINVAL;
		info.flags = VFIO_IRQ_INFO_EVENTFD;
		info.count = 1;
		return copy_to_user((void __user *)arg, &info, minsz) ?
			-EFAULT : 0;
	}
	case VFIO_DEVICE_SET_IRQS:
		return vfio_test_set_irqs(vdev, arg);
	case VFIO_DEVICE_RESET:
		mutex_lock(&vdev->lock);
		memset(vdev->region, 0, sizeof(vdev->region));
		mutex_unlock(&vdev->lock);
		return 0;
	}
	return -ENOTTY;
}

static ssize_t vfio_test_rw(struct vfio_test_dev *vdev, char __user *ubuf,
			    const char __user *wbuf, size_t count,
			    loff_t *ppos)
{
	loff_t pos = *ppos;
	unsigned long left;

	if (pos < 0 || pos >= VFIO_TEST_REGION_SIZE)
		return -EINVAL;
	count = min_t(size_t, count, VFIO_TEST_REGION_SIZE - pos);

	mutex_lock(&vdev->lock);
	if (ubuf)
		left = copy_to_user(ubuf, vdev->region + pos, count);
	else
		left = copy_from_user(vdev->region + pos, wbuf, count);
	mutex_unlock(&vdev->lock);
	if (left)
		return -EFAULT;
	*ppos = pos + count;
	return count;
}

static ssize_t vfio_test_read(void *device_data, char __user *buf,
			      size_t count, loff_t *ppos)
{
	return vfio_test_rw(device_data, buf, NULL, count, ppos);
}

static ssize_t vfio_test_write(void *device_data, const char __user *buf,
			       size_t count, loff_t *ppos)
{
	return vfio_test_rw(device_data, NULL, buf, count, ppos);
}

/* release requests sent to any device: debugfs vfio_test/requests */
static atomic_t vfio_test_requests = ATOMIC_INIT(0);

static void vfio_test_request(void *device_data, unsigned int count)
{
	struct vfio_test_dev *vdev = device_data;

	vdev->requests = count + 1;
	atomic_inc(&vfio_test_requests);
	dev_info(&vdev->pdev->dev, "release request %u\n", count);
}

static const struct vfio_device_ops vfio_test_dev_ops = {
	.name		= "vfio_test",
	.open		= vfio_test_open,
	.release	= vfio_test_release,
	.read		= vfio_test_read,
	.write		= vfio_test_write,
	.ioctl		= vfio_test_ioctl,
	.request	= vfio_test_request,
};

/* ---------------------------------------------------------------- mock backend */

struct vfio_test_iommu {
	struct mutex	lock;
	u64		mappings;
	u64		bytes;
	unsigned int	groups;
};

static void *vfio_test_iommu_open(unsigned long arg)
{
	struct vfio_test_iommu *iommu;

	if (arg != VFIO_TEST_IOMMU)
		return ERR_PTR(-EINVAL);
	iommu = kzalloc(sizeof(*iommu), GFP_KERNEL);
	if (!iommu)
		return ERR_PTR(-ENOMEM);
	mutex_init(&iommu->lock);
	return iommu;
}

static void vfio_test_iommu_release(void *iommu_data)
{
	struct vfio_test_iommu *iommu = iommu_data;

	WARN_ON(iommu->groups);
	kfree(iommu);
}

static long vfio_test_iommu_ioctl(void *iommu_data, unsigned int cmd,
				  unsigned long arg)
{
	struct vfio_test_iommu *iommu = iommu_data;

	switch (cmd) {
	case VFIO_CHECK_EXTENSION:
		return arg == VFIO_TEST_IOMMU ||
		       (iommu && arg == VFIO_DMA_CC_IOMMU);
	case VFIO_IOMMU_MAP_DMA: {
		unsigned long minsz = offsetofend(struct vfio_iommu_type1_dma_map,
						  size);
		struct vfio_iommu_type1_dma_map map;

		if (copy_from_user(&map, (void __user *)arg, minsz))
			return -EFAULT;
		if (map.argsz < minsz || !map.size)
			return -EINVAL;
		mutex_lock(&iommu->lock);
		iommu->mappings++;
		iommu->bytes += map.size;
		mutex_unlock(&iommu->lock);
		return 0;
	}
	case VFIO_IOMMU_UNMAP_DMA: {
		unsigned long minsz = offsetofend(struct vfio_iommu_type1_dma_unmap,
						  size);
		struct vfio_iommu_type1_dma_unmap unmap;
		int ret = 0;

		if (copy_from_user(&unmap, (void __user *)arg, minsz))
			return -EFAULT;
		if (unmap.argsz < minsz)
			return -EINVAL;
		mutex_lock(&iommu->lock);
		if (!iommu->mappings || unmap.size > iommu->bytes) {
			ret = -EINVAL;
		} else {
			iommu->mappings--;
			iommu->bytes -= unmap.size;
		}
		mutex_unlock(&iommu->lock);
		return ret;
	}
	}
	return -ENOTTY;
}

static int vfio_test_iommu_attach_group(void *iommu_data,
					struct iommu_group *group)
{
	struct vfio_test_iommu *iommu = iommu_data;

	if (iommu_group_get_iommudata(group) != &vfio_test_marker)
		return -EINVAL;
	mutex_lock(&iommu->lock);
	iommu->groups++;
	mutex_unlock(&iommu->lock);
	return 0;
}

static void vfio_test_iommu_detach_group(void *iommu_data,
					 struct iommu_group *group)
{
	struct vfio_test_iommu *iommu = iommu_data;

	mutex_lock(&iommu->lock);
	iommu->groups--;
	mutex_unlock(&iommu->lock);
}

static void vfio_test_iommu_stats(void *iommu_data,
				  struct vfio_iommu_stats *stats)
{
	struct vfio_test_iommu *iommu = iommu_data;

	mutex_lock(&iommu->lock);
	stats->dma_mappings = iommu->mappings;
	stats->pinned_bytes = iommu->bytes;
	stats->locked_bytes = 0;
	mutex_unlock(&iommu->lock);
}

static const struct vfio_iommu_driver_ops vfio_test_iommu_ops = {
	.name		= "vfio_test_iommu",
	.owner		= THIS_MODULE,
	.open		= vfio_test_iommu_open,
	.release	= vfio_test_iommu_release,
	.ioctl		= vfio_test_iommu_ioctl,
	.attach_group	= vfio_test_iommu_attach_group,
	.detach_group	= vfio_test_iommu_detach_group,
	.stats		= vfio_test_iommu_stats,
};

/* ---------------------------------------------------------------- debugfs */

/*
 * debugfs vfio_test/external, written by a test with a fd of its own:
 *   "get FD"   vfio_group_get_external_user() on FD, kept until "put"
 *   "put"      vfio_group_put_external_user()
 *   "file FD"  the vfio_file_* exports, resolved with symbol_get() the way
 *              kvm-vfio does, on FD
 *   "unregister N"  vfio_del_group_dev() of vfio_test.N, as a bus driver's
 *              remove does: blocks until its users let go
 *   "register N"    vfio_add_emulated_group_dev() of vfio_test.N again, after
 *              "unregister N": another driver binding the same device
 *   "drvdata N"     fails with ESTALE if vfio_test.N is registered but its
 *              drvdata is not its vfio_device (ENODEV: not registered)
 *   "stall-release MS"  the next vfio_device_release() spins MS ms where
 *              its device is already off its group's list (see below)
 * A failing command fails the write with its errno; read reports the
 * state ("external ..." and the last "file" results).
 */

/*
 * "stall-release MS": vfio_device_release() takes the device off its
 * group's list, drops device_lock and then puts the device's inode, the
 * only inode of vfio's pseudo filesystem (VFIO_FS_MAGIC) that is ever
 * put.  A kprobe on iput() spins there for MS ms once, so a test can
 * act in the window in which vfio_del_group_dev() already sees the
 * device gone but its release has not finished: a store to the device's
 * drvdata made that late (the old order) would hit the drvdata of a
 * device registered since.  vfio_test/stalling reads 1 during the spin.
 * Registered on first use, under ext_lock; unregistered at module exit.
 */
static atomic_t stall_ms = ATOMIC_INIT(0);
static atomic_t stalling = ATOMIC_INIT(0);
static bool stall_probe_on;

static int vfio_test_iput_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct inode *inode = (struct inode *)regs_get_kernel_argument(regs, 0);
	int ms;

	if (!inode || inode->i_sb->s_magic != VFIO_FS_MAGIC)
		return 0;
	ms = atomic_xchg(&stall_ms, 0);
	if (ms) {
		atomic_set(&stalling, 1);
		mdelay(ms);
		atomic_set(&stalling, 0);
	}
	return 0;
}

static struct kprobe stall_probe = {
	.symbol_name	= "iput",
	.pre_handler	= vfio_test_iput_pre,
};

static int vfio_test_stall_release(int ms)
{
	int ret;

	/* long enough for a test to act, short of the lockup detectors */
	if (ms <= 0 || ms > 5000)
		return -EINVAL;
	if (!stall_probe_on) {
		ret = register_kprobe(&stall_probe);
		if (ret)
			return ret;
		stall_probe_on = true;
	}
	atomic_set(&stall_ms, ms);
	return 0;
}

/* "drvdata N": is vfio_test.N's drvdata the vfio_device registered for it? */
static int vfio_test_check_drvdata(struct vfio_test_dev *vdev)
{
	struct device *dev = &vdev->pdev->dev;
	struct vfio_device *device = vfio_device_get_from_dev(dev);
	int ret = 0;

	if (!device)
		return -ENODEV;
	if (dev_get_drvdata(dev) != device) {
		dev_err(dev, "drvdata %p is not its vfio_device %p\n",
			dev_get_drvdata(dev), device);
		ret = -ESTALE;
	}
	vfio_device_put(device);
	return ret;
}

static DEFINE_MUTEX(ext_lock);
static struct vfio_group *ext_group;
static char file_result[256];

static int vfio_test_file_cmd(int fd)
{
	bool (*is_group)(struct file *);
	bool (*is_valid)(struct file *);
	bool (*coherent)(struct file *);
	void (*set_kvm)(struct file *, struct kvm *);
	struct iommu_group *(*iommu_group)(struct file *);
	bool (*has_dev)(struct file *, struct vfio_device *);
	struct vfio_device *device;
	struct iommu_group *grp;
	struct file *file;
	int ret = 0;

	file = fget(fd);
	if (!file)
		return -EBADF;

	is_group = symbol_get(vfio_file_is_group);
	is_valid = symbol_get(vfio_file_is_valid);
	coherent = symbol_get(vfio_file_enforced_coherent);
	set_kvm = symbol_get(vfio_file_set_kvm);
	iommu_group = symbol_get(vfio_file_iommu_group);
	has_dev = symbol_get(vfio_file_has_dev);
	if (!is_group || !is_valid || !coherent || !set_kvm || !iommu_group ||
	    !has_dev) {
		ret = -ENOENT;
		goto out;
	}

	/* Does FD own our first device (vfio_test.0, in group 0)? */
	device = vfio_device_get_from_dev(&devs[0]->pdev->dev);
	grp = iommu_group(file);
	set_kvm(file, NULL);
	snprintf(file_result, sizeof(file_result),
		 "is_group=%d is_valid=%d coherent=%d iommu_group=%d has_dev0=%d\n",
		 is_group(file), is_valid(file), coherent(file),
		 grp ? iommu_group_id(grp) : -1,
		 device ? has_dev(file, device) : -1);
	if (device)
		vfio_device_put(device);
out:
	if (is_group)
		symbol_put(vfio_file_is_group);
	if (is_valid)
		symbol_put(vfio_file_is_valid);
	if (coherent)
		symbol_put(vfio_file_enforced_coherent);
	if (set_kvm)
		symbol_put(vfio_file_set_kvm);
	if (iommu_group)
		symbol_put(vfio_file_iommu_group);
	if (has_dev)
		symbol_put(vfio_file_has_dev);
	fput(file);
	return ret;
}

static ssize_t vfio_test_ext_write(struct file *f, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	char buf[32];
	int fd, ret = 0;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	mutex_lock(&ext_lock);
	if (sscanf(buf, "get %d", &fd) == 1) {
		struct vfio_group *group;
		struct file *file = fget(fd);

		if (!file) {
			ret = -EBADF;
		} else if (ext_group) {
			ret = -EBUSY;
		} else {
			group = vfio_group_get_external_user(file);
			if (IS_ERR(group))
				ret = PTR_ERR(group);
			else
				ext_group = group;
		}
		if (file)
			fput(file);
	} else if (!strncmp(buf, "put", 3)) {
		if (ext_group)
			vfio_group_put_external_user(ext_group);
		else
			ret = -ENOENT;
		ext_group = NULL;
	} else if (sscanf(buf, "file %d", &fd) == 1) {
		ret = vfio_test_file_cmd(fd);
	} else if (sscanf(buf, "unregister %d", &fd) == 1) {
		/* What a bus driver's remove does; blocks while in use. */
		if (fd < 0 || fd >= nr_devs || devs[fd]->unregistered) {
			ret = -EINVAL;
		} else {
			vfio_del_group_dev(&devs[fd]->pdev->dev);
			devs[fd]->unregistered = true;
		}
	} else if (sscanf(buf, "register %d", &fd) == 1) {
		if (fd < 0 || fd >= nr_devs || !devs[fd]->unregistered) {
			ret = -EINVAL;
		} else {
			ret = vfio_add_emulated_group_dev(&devs[fd]->pdev->dev,
							  &vfio_test_dev_ops,
							  devs[fd]);
			if (!ret)
				devs[fd]->unregistered = false;
		}
	} else if (sscanf(buf, "drvdata %d", &fd) == 1) {
		if (fd < 0 || fd >= nr_devs)
			ret = -EINVAL;
		else
			ret = vfio_test_check_drvdata(devs[fd]);
	} else if (sscanf(buf, "stall-release %d", &fd) == 1) {
		ret = vfio_test_stall_release(fd);
	} else {
		ret = -EINVAL;
	}
	mutex_unlock(&ext_lock);
	return ret ? ret : count;
}

static ssize_t vfio_test_ext_read(struct file *f, char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	char buf[384];
	int len;

	mutex_lock(&ext_lock);
	if (ext_group)
		len = scnprintf(buf, sizeof(buf),
				"external iommu_id=%d test_iommu=%ld cc=%ld\n%s",
				vfio_external_user_iommu_id(ext_group),
				vfio_external_check_extension(ext_group,
							      VFIO_TEST_IOMMU),
				vfio_external_check_extension(ext_group,
							      VFIO_DMA_CC_IOMMU),
				file_result);
	else
		len = scnprintf(buf, sizeof(buf), "external none\n%s",
				file_result);
	mutex_unlock(&ext_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations vfio_test_ext_fops = {
	.owner	= THIS_MODULE,
	.read	= vfio_test_ext_read,
	.write	= vfio_test_ext_write,
	.llseek	= default_llseek,
};

static struct dentry *debugfs_dir;

/* ---------------------------------------------------------------- setup */

static void vfio_test_remove_dev(struct vfio_test_dev *vdev)
{
	if (!vdev->unregistered)
		vfio_del_group_dev(&vdev->pdev->dev);
	iommu_group_remove_device(&vdev->pdev->dev);
	platform_device_unregister(vdev->pdev);
	if (vdev->trigger)
		eventfd_ctx_put(vdev->trigger);
	kfree(vdev);
}

static int vfio_test_add_dev(unsigned int idx, struct iommu_group *group)
{
	struct vfio_test_dev *vdev;
	int ret;

	vdev = kzalloc(sizeof(*vdev), GFP_KERNEL);
	if (!vdev)
		return -ENOMEM;
	mutex_init(&vdev->lock);
	vdev->group = group;

	vdev->pdev = platform_device_register_simple("vfio_test", idx, NULL, 0);
	if (IS_ERR(vdev->pdev)) {
		ret = PTR_ERR(vdev->pdev);
		goto err_free;
	}
	ret = iommu_group_add_device(group, &vdev->pdev->dev);
	if (ret)
		goto err_pdev;
	ret = vfio_add_emulated_group_dev(&vdev->pdev->dev, &vfio_test_dev_ops,
					  vdev);
	if (ret)
		goto err_group;
	devs[idx] = vdev;
	return 0;

err_group:
	iommu_group_remove_device(&vdev->pdev->dev);
err_pdev:
	platform_device_unregister(vdev->pdev);
err_free:
	kfree(vdev);
	return ret;
}

/*
 * A device registered the way a bus driver does it: vfio_iommu_group_get()
 * makes a no-IOMMU group when the core is in no-IOMMU mode.
 */
static int vfio_test_add_noiommu_dev(void)
{
	struct vfio_test_dev *vdev;
	int ret;

	vdev = kzalloc(sizeof(*vdev), GFP_KERNEL);
	if (!vdev)
		return -ENOMEM;
	mutex_init(&vdev->lock);

	vdev->pdev = platform_device_register_simple("vfio_test_noiommu", 0,
						     NULL, 0);
	if (IS_ERR(vdev->pdev)) {
		ret = PTR_ERR(vdev->pdev);
		goto err_free;
	}
	vdev->group = vfio_iommu_group_get(&vdev->pdev->dev);
	if (!vdev->group) {
		dev_err(&vdev->pdev->dev, "no group: is enable_unsafe_noiommu_mode set?\n");
		ret = -EINVAL;
		goto err_pdev;
	}
	ret = vfio_add_group_dev(&vdev->pdev->dev, &vfio_test_dev_ops, vdev);
	if (ret)
		goto err_group;
	noiommu_dev = vdev;
	return 0;

err_group:
	vfio_iommu_group_put(vdev->group, &vdev->pdev->dev);
err_pdev:
	platform_device_unregister(vdev->pdev);
err_free:
	kfree(vdev);
	return ret;
}

static void vfio_test_remove_noiommu_dev(void)
{
	struct vfio_test_dev *vdev = noiommu_dev;

	if (!vdev)
		return;
	vfio_del_group_dev(&vdev->pdev->dev);
	vfio_iommu_group_put(vdev->group, &vdev->pdev->dev);
	platform_device_unregister(vdev->pdev);
	if (vdev->trigger)
		eventfd_ctx_put(vdev->trigger);
	kfree(vdev);
	noiommu_dev = NULL;
}

static void vfio_test_cleanup_devs(void)
{
	unsigned int i;

	for (i = 0; i < nr_devs; i++)
		if (devs[i])
			vfio_test_remove_dev(devs[i]);
	for (i = 0; i < nr_groups; i++)
		if (groups[i])
			iommu_group_put(groups[i]);
	kfree(devs);
	kfree(groups);
}

static int __init vfio_test_init(void)
{
	unsigned int g, d, idx = 0;
	int ret;

	if (!nr_groups || !multi || nr_groups > 65536 || multi > 64)
		return -EINVAL;
	nr_devs = nr_groups - 1 + multi;

	devs = kcalloc(nr_devs, sizeof(*devs), GFP_KERNEL);
	groups = kcalloc(nr_groups, sizeof(*groups), GFP_KERNEL);
	if (!devs || !groups) {
		ret = -ENOMEM;
		goto err;
	}

	ret = vfio_register_iommu_driver(&vfio_test_iommu_ops);
	if (ret)
		goto err;

	for (g = 0; g < nr_groups; g++) {
		struct iommu_group *group = iommu_group_alloc();

		if (IS_ERR(group)) {
			ret = PTR_ERR(group);
			goto err_unregister;
		}
		groups[g] = group;
		iommu_group_set_name(group, "vfio_test");
		iommu_group_set_iommudata(group, &vfio_test_marker, NULL);
		for (d = 0; d < (g ? 1 : multi); d++) {
			ret = vfio_test_add_dev(idx++, group);
			if (ret)
				goto err_unregister;
		}
	}

	if (noiommu) {
		ret = vfio_test_add_noiommu_dev();
		if (ret)
			goto err_unregister;
	}

	debugfs_dir = debugfs_create_dir("vfio_test", NULL);
	debugfs_create_file("external", 0600, debugfs_dir, NULL,
			    &vfio_test_ext_fops);
	debugfs_create_atomic_t("requests", 0400, debugfs_dir,
				&vfio_test_requests);
	debugfs_create_atomic_t("stalling", 0400, debugfs_dir, &stalling);
	pr_info("%u devices in %u groups\n", nr_devs, nr_groups);
	return 0;

err_unregister:
	vfio_unregister_iommu_driver(&vfio_test_iommu_ops);
err:
	if (devs && groups)
		vfio_test_cleanup_devs();
	else {
		kfree(devs);
		kfree(groups);
	}
	return ret;
}

static void __exit vfio_test_exit(void)
{
	debugfs_remove_recursive(debugfs_dir);
	if (stall_probe_on)
		unregister_kprobe(&stall_probe);
	mutex_lock(&ext_lock);
	if (ext_group)
		vfio_group_put_external_user(ext_group);
	ext_group = NULL;
	mutex_unlock(&ext_lock);
	vfio_test_remove_noiommu_dev();
	vfio_test_cleanup_devs();
	vfio_unregister_iommu_driver(&vfio_test_iommu_ops);
}

module_init(vfio_test_init);
module_exit(vfio_test_exit);

MODULE_VERSION(VFIOCTL_VERSION "-vfioctl");
MODULE_LICENSE("GPL v2");
MODULE_AUTHOR("vfioctl developers");
MODULE_DESCRIPTION("vfioctl test devices (tests only)");
