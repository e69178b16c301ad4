#ifndef SPORE_CCHECKSUM_H
#define SPORE_CCHECKSUM_H

#include <stddef.h>
#include <stdint.h>

// All three CRCs use the zlib convention: start from 0, pass the previous result back in, and the
// value returned is the finished CRC (reflected, initial value and final XOR all-ones).

uint32_t spore_crc32_update(uint32_t crc, const void *data, size_t length);
uint32_t spore_crc32c_update(uint32_t crc, const void *data, size_t length);
uint64_t spore_crc64nvme_update(uint64_t crc, const void *data, size_t length);

// CRC of A followed by B, given CRC(A), CRC(B) and the length of B in bytes.
uint32_t spore_crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b);
uint32_t spore_crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b);
uint64_t spore_crc64nvme_combine(uint64_t crc_a, uint64_t crc_b, uint64_t length_b);

#endif
