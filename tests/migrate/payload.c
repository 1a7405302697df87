// SPDX-License-Identifier: GPL-2.0
/*
 * The guest that tests/migrate/migrate.py live-migrates: a multiboot image that maps all
 * of its RAM with 2 MiB pages (PAE) and rewrites memory in passes, so that the host maps
 * it with huge pages until dirty logging starts and keeps dirtying pages while QEMU
 * migrates it.
 *
 * First every page of the region gets a seeded pattern, so that the whole RAM is data
 * to migrate and to compare, not zero pages.  Then pass N writes the pass number into one word of every 2 MiB frame (so that every huge
 * mapping is faulted in again once dirty logging is off) and into "writes" pages picked
 * by a generator seeded from (seed, N), so the dirty set changes from pass to pass.  The
 * status block at STATUS_ADDR holds the pass counter; every "report"-th pass is printed
 * on COM1 as "pass N", which is how the host sees the guest write before, during and
 * after a migration.  A page that the destination has with other contents than the
 * source is a write that dirty logging lost; the host finds it by comparing the two.
 *
 * Parameters come from the multiboot command line (QEMU's -append):
 *   seed=S writes=W report=R delay=D sti=0|1
 *
 * The payload runs with interrupts off (RFLAGS.IF=0), or with sti=1 with both PICs masked
 * and IF=1, so that no interrupt reaches it either way (it has no IDT).  sti=1 is an
 * experiment for Bochs, whose VMX delivers L1's external interrupts to an L2 at IF=0 only
 * when the L2 exits for another reason (docs/migration.md, Intel).
 */
#include <stdint.h>

#define COM1		0x3f8
#define STATUS_ADDR	0x200000u	/* the 2nd 2 MiB frame, below the written region */
#define REGION_START	0x400000u
#define FRAME_SIZE	0x200000u
#define PAGE_SIZE	4096u

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
};

struct status {
	uint64_t magic;
	uint64_t pass;
	uint64_t seed;
	uint64_t region_start;
	uint64_t region_end;
};

#define STATUS_MAGIC	0x6d69677261746521ull	/* "migrate!" */

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc_serial(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, c);
}

static void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

static void putu_serial(uint32_t v)
{
	char buf[21];
	int i = sizeof(buf) - 1;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i);
	puts_serial(&buf[i]);
}

/* A number after "name=" in the command line, or def. */
static uint32_t param(const char *cmdline, const char *name, uint32_t def)
{
	const char *p, *n;
	uint32_t v;

	for (p = cmdline; p && *p; p++) {
		if (p != cmdline && p[-1] != ' ')
			continue;
		for (n = name; *n && *p == *n; n++, p++)
			;
		if (*n || *p != '=')
			continue;
		for (v = 0, p++; *p >= '0' && *p <= '9'; p++)
			v = v * 10 + (uint32_t)(*p - '0');
		return v;
	}
	return def;
}

/* xorshift64*: cheap, and the same (seed, pass) gives the same pages on every run. */
static uint64_t next_random(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dull;
}

/* Identity-map the low 4 GiB with 2 MiB pages (PAE) and turn paging on. */
static void enable_paging(void)
{
	uint32_t i, j, cr;

	for (i = 0; i < 4; i++) {
		for (j = 0; j < 512; j++)
			pd[i][j] = ((uint64_t)i << 30) + ((uint64_t)j << 21) + 0x83;	/* P|RW|PS */
		pdpt[i] = (uint32_t)&pd[i][0] | 1;
	}
	asm volatile("mov %%cr4, %0" : "=r"(cr));
	asm volatile("mov %0, %%cr4" : : "r"(cr | 0x20));	/* PAE */
	asm volatile("mov %0, %%cr3" : : "r"(pdpt) : "memory");
	asm volatile("mov %%cr0, %0" : "=r"(cr));
	asm volatile("mov %0, %%cr0" : : "r"(cr | 0x80000000u) : "memory");	/* PG */
}

void payload_main(uint32_t magic, struct multiboot_info *mbi)
{
	volatile struct status *st = (volatile struct status *)STATUS_ADDR;
	const char *cmdline = "";
	uint32_t seed, writes, report, delay, end, npages, i;
	int sti;
	uint64_t pass, x;

	if (magic != 0x2badb002 || !(mbi->flags & 1)) {
		puts_serial("payload: no multiboot memory information\n");
		return;
	}
	if (mbi->flags & 4)
		cmdline = (const char *)mbi->cmdline;
	seed = param(cmdline, "seed", 1);
	writes = param(cmdline, "writes", 64);
	report = param(cmdline, "report", 16);
	delay = param(cmdline, "delay", 0);
	sti = param(cmdline, "sti", 0);
	/* mem_upper: KiB of RAM from 1 MiB up to the first hole; whole frames only. */
	end = (0x100000u + mbi->mem_upper * 1024u) & ~(FRAME_SIZE - 1);
	if (end <= REGION_START + FRAME_SIZE) {
		puts_serial("payload: too little memory\n");
		return;
	}
	npages = (end - REGION_START) / PAGE_SIZE;
	enable_paging();

	st->magic = STATUS_MAGIC;
	st->seed = seed;
	st->region_start = REGION_START;
	st->region_end = end;
	puts_serial("payload: seed ");
	putu_serial(seed);
	puts_serial(" region ");
	putu_serial(REGION_START);
	puts_serial("-");
	putu_serial(end);
	puts_serial(" writes ");
	putu_serial(writes);
	puts_serial("\n");

	if (sti) {
		outb(0x21, 0xff);	/* mask every line of both 8259s */
		outb(0xa1, 0xff);
		asm volatile("sti" : : : "memory");
		puts_serial("payload: running with IF=1, PIC masked\n");
	}

	for (i = 0; i < npages; i++)
		*(volatile uint64_t *)(REGION_START + i * PAGE_SIZE) = (uint64_t)seed << 32 | i;

	for (pass = 1;; pass++) {
		uint32_t a;

		for (a = REGION_START; a < end; a += FRAME_SIZE)
			*(volatile uint64_t *)(a + ((uint32_t)pass % 512) * 8) = pass;
		x = ((uint64_t)seed << 32) ^ (pass * 0x9e3779b97f4a7c15ull) ^ 1;
		for (i = 0; i < writes; i++) {
			uint64_t r = next_random(&x);
			uint32_t page = (uint32_t)r % npages;
			uint32_t word = (uint32_t)(r >> 40) % (PAGE_SIZE / 8);

			*(volatile uint64_t *)(REGION_START + page * PAGE_SIZE + word * 8) =
				pass << 16 | i;
		}
		st->pass = pass;
		if (report && (uint32_t)pass % report == 0) {
			puts_serial("pass ");
			putu_serial((uint32_t)pass);
			puts_serial("\n");
		}
		/*
		 * Not PAUSE: QEMU TCG ends its execution loop at every PAUSE, and with
		 * thread=single each one then waits out the other emulated CPUs' time slices,
		 * which stalls the payload whenever the other CPU of L1 is busy.
		 */
		for (i = 0; i < delay; i++)
			asm volatile("" : : : "memory");
	}
}
