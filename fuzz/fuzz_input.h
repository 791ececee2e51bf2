/* SPDX-License-Identifier: MIT */
/* A cursor over a fuzz input: reads past the end give zeros, so every
 * input is a valid program. */
#ifndef FFAMED_FUZZ_INPUT_H
#define FFAMED_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_in {
	const uint8_t *data;
	size_t len, pos;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	return in->pos < in->len ? in->data[in->pos++] : 0;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	return (uint16_t)(fuzz_u8(in) | (fuzz_u8(in) << 8));
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	return (uint32_t)fuzz_u16(in) | ((uint32_t)fuzz_u16(in) << 16);
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	return (uint64_t)fuzz_u32(in) | ((uint64_t)fuzz_u32(in) << 32);
}

static inline int fuzz_done(const struct fuzz_in *in)
{
	return in->pos >= in->len;
}

#endif /* FFAMED_FUZZ_INPUT_H */
