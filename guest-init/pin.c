#include "guest-init/pin.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "guest-init/sysfs.h"

/* The first CPU of node, or -1 when it has none. */
static int node_first_cpu(unsigned node)
{
	char path[PATH_MAX], cpus[256] = "";

	snprintf(path, sizeof(path), NODE_SYSFS "/node%u/cpulist", node);
	if (read_text(path, cpus, sizeof(cpus)) < 0 || cpus[0] < '0' || cpus[0] > '9')
		return -1;
	return atoi(cpus);
}

static int mount_pin_tmpfs(void)
{
	if (mkdir("/pin", 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount("tmpfs", "/pin", "tmpfs", 0, NULL) < 0 && errno != EBUSY)
		return -errno;
	return 0;
}

/* Only logged: the answer is about the slab, not about the affinity. */
static void restore_affinity(const cpu_set_t *old)
{
	if (sched_setaffinity(0, sizeof(*old), old) < 0)
		console("pin: restoring the CPU affinity: %s", strerror(errno));
}

void pin_slab(const struct channel *ch, unsigned node, size_t kib)
{
	char path[PATH_MAX];
	cpu_set_t set, old;
	unsigned made = 0;
	int cpu = node_first_cpu(node), r;

	if (cpu < 0) {
		say(ch, "error what=pin-no-cpu errno=%d", ENODEV);
		return;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_getaffinity(0, sizeof(old), &old) < 0 || sched_setaffinity(0, sizeof(set), &set) < 0) {
		say(ch, "error what=pin-affinity errno=%d", errno);
		return;
	}
	if ((r = mount_pin_tmpfs()) < 0) {
		say(ch, "error what=pin-mount errno=%d", -r);
		restore_affinity(&old);
		return;
	}
	for (size_t i = 0; i < kib; i++) {
		snprintf(path, sizeof(path), "/pin/%u-%zu", node, i);
		made += mkdir(path, 0755) == 0;
	}
	restore_affinity(&old);
	say(ch, "ok dirs=%u cpu=%d", made, cpu);
}
