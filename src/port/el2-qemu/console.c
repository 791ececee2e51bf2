/* SPDX-License-Identifier: MIT */
/*
 * PL011 console output (QEMU's UART needs no setup) and the printf the
 * mediator's vlog needs: %s %c %d %i %u %x %X %p %%, the l/ll/z/h/hh
 * modifiers, '0' and '-' flags and a width. One line at a time under a lock,
 * so that two CPUs never mix their lines (the guest shares the UART).
 */
#include "el2.h"

#define UART_DR	     0x00
#define UART_FR	     0x18
#define UART_FR_TXFF (1u << 5)

static struct el2_lock console_lock;

void console_putc(char c)
{
	volatile uint32_t *fr = (volatile uint32_t *)(uintptr_t)(UART_BASE + UART_FR);
	volatile uint32_t *dr = (volatile uint32_t *)(uintptr_t)(UART_BASE + UART_DR);

	while (*fr & UART_FR_TXFF)
		;
	*dr = (uint32_t)(unsigned char)c;
}

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_c(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_num(struct out *o, uint64_t v, unsigned base, bool neg, bool upper, int width,
		    bool zero, bool left)
{
	char tmp[24];
	int n = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + (neg ? 1 : 0);
	if (neg && zero)
		out_c(o, '-');
	if (!left)
		for (; width > len; width--)
			out_c(o, zero ? '0' : ' ');
	if (neg && !zero)
		out_c(o, '-');
	while (n)
		out_c(o, tmp[--n]);
	if (left)
		for (; width > len; width--)
			out_c(o, ' ');
}

int el2_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_c(&o, *fmt);
			continue;
		}
		bool zero = false, left = false;
		int width = 0, lng = 0;
		for (fmt++; *fmt == '0' || *fmt == '-' || *fmt == '#'; fmt++) {
			if (*fmt == '0')
				zero = true;
			else if (*fmt == '-')
				left = true;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z' || *fmt == 'h'; fmt++)
			if (*fmt != 'h')
				lng++;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			out_num(&o, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10, v < 0, false, width,
				zero, left);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			out_num(&o, v, *fmt == 'u' ? 10 : 16, false, *fmt == 'X', width, zero,
				left);
			break;
		}
		case 'p':
			out_c(&o, '0');
			out_c(&o, 'x');
			out_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, false, 0, false,
				false);
			break;
		case 'c':
			out_c(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = 0;
			if (!s)
				s = "(null)";
			while (s[len])
				len++;
			if (!left)
				for (; width > len; width--)
					out_c(&o, ' ');
			for (int i = 0; i < len; i++)
				out_c(&o, s[i]);
			for (; width > len; width--)
				out_c(&o, ' ');
			break;
		}
		case '%':
			out_c(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			out_c(&o, '%');
			out_c(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

static void console_write_locked(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			console_putc('\r');
		console_putc(*s);
	}
}

void el2_vprintf_line(const char *prefix, const char *fmt, va_list ap)
{
	char line[256];

	el2_vsnprintf(line, sizeof(line), fmt, ap);
	el2_lock(&console_lock);
	console_write_locked(prefix);
	console_write_locked(line);
	console_write_locked("\n");
	el2_unlock(&console_lock);
}

void el2_printf(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	el2_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	el2_lock(&console_lock);
	console_write_locked(line);
	el2_unlock(&console_lock);
}

void el2_panic(const char *fmt, ...)
{
	va_list ap;
	uint64_t off[8] = {0x84000008}; /* PSCI SYSTEM_OFF: end the QEMU run */

	va_start(ap, fmt);
	el2_vprintf_line("ffamed-el2: PANIC: ", fmt, ap);
	va_end(ap);
	el2_smc(off);
	for (;;)
		__asm__ volatile("wfe");
}

int el2_vsnprintf_va(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = el2_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
