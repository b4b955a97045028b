#include "guest-init/halt.h"

#include <errno.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "guest-init/sysfs.h"

void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

int sysrq(const char *key)
{
	if (strlen(key) != 1)
		return -EINVAL;
	return write_text("/proc/sysrq-trigger", key);
}
