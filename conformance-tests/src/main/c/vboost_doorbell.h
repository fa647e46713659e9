/*
 * Ringing the host's doorbell from a guest (spec §12): QEMU's ivshmem-doorbell device, BAR0 register
 * Doorbell at offset 12. Use after a publication (G2, the acknowledgement of §5.5, A3, D1) when DOORBELL was
 * accepted; vboost_ring() issues the full fence of §12.4 RG1 before the store.
 */
#ifndef VBOOST_DOORBELL_H
#define VBOOST_DOORBELL_H

#include <stddef.h>
#include <stdint.h>

struct vboost_doorbell {
	volatile uint32_t *reg; /* BAR0 + VBOOST_DOORBELL_BAR0_DOORBELL; NULL: no doorbell, vboost_ring() does nothing */
	uint32_t value;         /* (host peer id << 16) | vector */
	void *map;              /* what vboost_doorbell_open_pci() mapped, else NULL */
	size_t map_len;
};

/*
 * Maps BAR0 of the PCI device directory `device` (e.g. "/sys/bus/pci/devices/0000:00:04.0") from its
 * resource0 file (root; refused under kernel lockdown) and prepares rings of the host peer's vector 0.
 * Returns 0, or -errno with `why` (if not NULL) naming the step that failed.
 */
int vboost_doorbell_open_pci(struct vboost_doorbell *d, const char *device, const char **why);

/* Uses a BAR0 the caller mapped itself (a kernel driver, UIO). */
void vboost_doorbell_from_bar0(struct vboost_doorbell *d, volatile void *bar0);

/* Full fence, then one 32-bit volatile store of the value to Doorbell (spec §12.4 RG1, RG2). */
void vboost_ring(const struct vboost_doorbell *d);

/* The guest's own ivshmem peer id (IVPosition); -1 without a mapped BAR0. */
int32_t vboost_doorbell_own_peer_id(const struct vboost_doorbell *d);

void vboost_doorbell_close(struct vboost_doorbell *d);

#endif /* VBOOST_DOORBELL_H */
