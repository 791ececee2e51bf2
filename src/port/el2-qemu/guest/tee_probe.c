/* SPDX-License-Identifier: MIT */
/*
 * tee-probe: the guest-side check of /dev/tee0, run by the initramfs /init
 * (built static for aarch64 by scripts/linux-initramfs.sh). It opens the
 * device, asks its version (TEE_IOC_VERSION) and allocates then frees a
 * shared-memory buffer (TEE_IOC_SHM_ALLOC): with OP-TEE over FF-A that is a
 * MEM_SHARE to the SP and, at close, a MEM_RECLAIM, both served by ffamed.
 * Uses the kernel's UAPI values, restated here so no kernel headers are
 * needed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct tee_version {
	uint32_t impl_id;
	uint32_t impl_caps;
	uint32_t gen_caps;
};

struct tee_shm_alloc {
	uint64_t size;
	uint32_t flags;
	int32_t id;
};

#define TEE_IOC_VERSION	  _IOR(0xa4, 0, struct tee_version)
#define TEE_IOC_SHM_ALLOC _IOWR(0xa4, 1, struct tee_shm_alloc)
#define TEE_IMPL_ID_OPTEE 1

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/tee0";
	struct tee_version v;
	struct tee_shm_alloc a;
	int fd, shm;

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		printf("tee-probe: open %s failed: %m\n", dev);
		return 1;
	}
	printf("tee-probe: %s opened\n", dev);
	memset(&v, 0, sizeof(v));
	if (ioctl(fd, TEE_IOC_VERSION, &v) < 0) {
		printf("tee-probe: TEE_IOC_VERSION failed: %m\n");
		return 1;
	}
	printf("tee-probe: version impl_id %u (%s) gen_caps %#x\n", v.impl_id,
	       v.impl_id == TEE_IMPL_ID_OPTEE ? "OP-TEE" : "other", v.gen_caps);
	memset(&a, 0, sizeof(a));
	a.size = 8192;
	shm = ioctl(fd, TEE_IOC_SHM_ALLOC, &a);
	if (shm < 0) {
		printf("tee-probe: TEE_IOC_SHM_ALLOC failed: %m\n");
		return 1;
	}
	printf("tee-probe: shared memory id %d allocated (%llu bytes)\n", a.id,
	       (unsigned long long)a.size);
	close(shm);
	close(fd);
	printf("tee-probe: shared memory freed, device closed\n");
	return 0;
}
