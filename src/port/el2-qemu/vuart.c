/* SPDX-License-Identifier: MIT */
/*
 * The PL011 of a guest when several run: its page is left out of that
 * guest's stage 2 and each access comes here. Output is collected
 * a line at a time and printed on the real UART as "[vm<id>] <line>", so
 * that the log tells the guests apart. Input never arrives (RX empty), the
 * transmitter is always ready, and no interrupt is ever raised: Linux's
 * PL011 driver then writes its whole buffer without waiting for one.
 * Other registers keep what the guest writes, so that its read-modify-write
 * sequences see their own values; the ID registers say PL011.
 */
#include "el2.h"

#define UART_PAGE   0x1000
#define REG_DR	    0x000
#define REG_FR	    0x018
#define REG_RIS	    0x03c
#define REG_MIS	    0x040
#define FR_RXFE	    (1u << 4)
#define FR_TXFE	    (1u << 7)
#define REG_PERIPH0 0xfe0

/* PrimeCell IDs of an ARM PL011 r1p5 (0xfe0..0xffc, one byte each). */
static const uint8_t periph_id[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static void flush_line(struct el2_vm *vm)
{
	vm->uart.line[vm->uart.len] = '\0';
	el2_printf("[vm%u] %s\n", (unsigned)vm->ffa_id, vm->uart.line);
	vm->uart.len = 0;
}

static void put_char(struct el2_vm *vm, char c)
{
	if (c == '\r')
		return;
	if (c == '\n') {
		flush_line(vm);
		return;
	}
	vm->uart.line[vm->uart.len++] = c;
	if (vm->uart.len == sizeof(vm->uart.line) - 1)
		flush_line(vm);
}

bool vuart_mmio(struct el2_vm *vm, uint64_t ipa, uint32_t size, bool write, uint64_t *v)
{
	uint64_t off;

	if (!vm->emulated_uart || ipa < UART_BASE || ipa >= UART_BASE + UART_PAGE)
		return false;
	off = ipa - UART_BASE;
	el2_lock(&vm->uart.lock);
	if (write) {
		if (off == REG_DR)
			put_char(vm, (char)(*v & 0xff));
		else if (size == 4 && !(off & 3) && off < REG_PERIPH0)
			vm->uart.regs[off / 4] = (uint32_t)*v;
	} else if (off == REG_FR) {
		*v = FR_RXFE | FR_TXFE;
	} else if (off == REG_DR || off == REG_RIS || off == REG_MIS) {
		*v = 0;
	} else if (off >= REG_PERIPH0) {
		*v = (off & 3) ? 0 : periph_id[(off - REG_PERIPH0) / 4];
	} else {
		*v = vm->uart.regs[(off & ~3ull) / 4] >> ((off & 3) * 8);
	}
	el2_unlock(&vm->uart.lock);
	return true;
}

void vuart_flush(struct el2_vm *vm)
{
	el2_lock(&vm->uart.lock);
	if (vm->uart.len)
		flush_line(vm);
	el2_unlock(&vm->uart.lock);
}
