// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim for the QEMU that tests/migrate/migrate.py starts: records how QEMU
 * drives KVM's dirty log, and with DIRTY_LOG_SHIM_HIDE_MANUAL=1 hides
 * KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 so that QEMU falls back to KVM_GET_DIRTY_LOG alone
 * (QEMU 7.2 has no option to turn manual protection off).  At exit, and when
 * DIRTY_LOG_SHIM_OUT names a file, it writes one line there:
 *   manual_protect=<flags QEMU enabled, 0 if none> get_dirty_log=<calls> clear_dirty_log=<calls>
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>

static unsigned long long manual_flags, get_calls, clear_calls;

static int (*next_ioctl)(int, unsigned long, ...);

int ioctl(int fd, unsigned long request, ...)
{
	/*
	 * QEMU passes the request as an int: _IOWR() numbers arrive sign-extended, and the
	 * kernel only looks at the low 32 bits.
	 */
	unsigned int nr = (unsigned int)request;
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!next_ioctl)
		next_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");

	if (nr == KVM_CHECK_EXTENSION &&
	    (unsigned long)arg == KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 &&
	    getenv("DIRTY_LOG_SHIM_HIDE_MANUAL"))
		return 0;
	ret = next_ioctl(fd, request, arg);
	if (ret < 0)
		return ret;
	if (nr == KVM_ENABLE_CAP &&
	    ((struct kvm_enable_cap *)arg)->cap == KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2)
		manual_flags = ((struct kvm_enable_cap *)arg)->args[0];
	else if (nr == KVM_GET_DIRTY_LOG)
		__atomic_add_fetch(&get_calls, 1, __ATOMIC_RELAXED);
	else if (nr == KVM_CLEAR_DIRTY_LOG)
		__atomic_add_fetch(&clear_calls, 1, __ATOMIC_RELAXED);
	return ret;
}

static void __attribute__((destructor)) report(void)
{
	const char *path = getenv("DIRTY_LOG_SHIM_OUT");
	FILE *f;

	if (!path || !(f = fopen(path, "w")))
		return;
	fprintf(f, "manual_protect=%#llx get_dirty_log=%llu clear_dirty_log=%llu\n",
		manual_flags, get_calls, clear_calls);
	fclose(f);
}
