/*
 * Multiboot (v1) entry of the migration guest: QEMU's -kernel loads the ELF at 1 MiB and
 * enters here in 32-bit protected mode, paging off, with the boot information in %ebx.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000002	/* ask for the memory map (mem_lower/mem_upper) */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.globl _start
_start:
	mov	$stack_top, %esp
	push	%ebx
	push	%eax
	call	payload_main
1:	hlt
	jmp	1b

	.bss
	.align 16
	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
