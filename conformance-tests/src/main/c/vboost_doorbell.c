/* Guest side of the doorbell transport (spec §12); see vboost_doorbell.h. */
#define _GNU_SOURCE
#include "vboost_doorbell.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vboost_abi.h"

#define BAR0_MIN 16u /* the four ivshmem registers */

void vboost_doorbell_from_bar0(struct vboost_doorbell *d, volatile void *bar0)
{
	memset(d, 0, sizeof *d);
	d->reg = (volatile uint32_t *)((volatile uint8_t *)bar0 + VBOOST_DOORBELL_BAR0_DOORBELL);
	d->value = VBOOST_DOORBELL_VALUE;
}

int vboost_doorbell_open_pci(struct vboost_doorbell *d, const char *device, const char **why)
{
	char path[512];
	const char *dummy;
	if (!why)
		why = &dummy;
	memset(d, 0, sizeof *d);
	if ((size_t)snprintf(path, sizeof path, "%s/resource0", device) >= sizeof path) {
		*why = "device path too long";
		return -ENAMETOOLONG;
	}
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		int e = errno;
		*why = e == ENOENT ? "no resource0: not a PCI device with a BAR0" : "cannot open resource0 (root is needed)";
		return -e;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size < (off_t)BAR0_MIN) {
		close(fd);
		*why = "BAR0 too small for the ivshmem registers";
		return -EINVAL;
	}
	long page = sysconf(_SC_PAGESIZE);
	size_t len = page > 0 ? (size_t)page : 4096u;
	if ((off_t)len > st.st_size)
		len = (size_t)st.st_size;
	void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int e = errno;
	close(fd);
	if (map == MAP_FAILED) {
		*why = "mmap of resource0 refused (a kernel in lockdown refuses PCI resource mappings)";
		return -e;
	}
	vboost_doorbell_from_bar0(d, map);
	d->map = map;
	d->map_len = len;
	return 0;
}

void vboost_ring(const struct vboost_doorbell *d)
{
	if (!d->reg)
		return;
	atomic_thread_fence(memory_order_seq_cst); /* RG1: the line's W4 before the ring, on every architecture */
	*d->reg = d->value;                         /* RG2: an uncached MMIO store; KVM's ioeventfd signals the host */
}

int32_t vboost_doorbell_own_peer_id(const struct vboost_doorbell *d)
{
	if (!d->reg)
		return -1;
	const volatile uint32_t *ivposition = (const volatile uint32_t *)((const volatile uint8_t *)d->reg
		- VBOOST_DOORBELL_BAR0_DOORBELL + VBOOST_DOORBELL_BAR0_IVPOSITION);
	return (int32_t)*ivposition;
}

void vboost_doorbell_close(struct vboost_doorbell *d)
{
	if (d->map)
		munmap(d->map, d->map_len);
	memset(d, 0, sizeof *d);
}
