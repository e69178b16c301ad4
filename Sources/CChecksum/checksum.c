// Table-driven CRCs (slicing by 8) plus the SSE4.2 instruction for CRC32C where the CPU has it.
// The combine functions follow zlib's multmodp/x2nmodp approach, generalised to 64 bits.
#include "CChecksum.h"

#include <pthread.h>
#include <string.h>

#define CRC32_POLY 0xEDB88320u
#define CRC32C_POLY 0x82F63B78u
#define CRC64NVME_POLY 0x9A6C9329AC4BC9B5ull
#define X2N_COUNT 72

static uint32_t crc32_table[8][256];
static uint32_t crc32c_table[8][256];
static uint64_t crc64_table[8][256];
static uint32_t crc32_x2n[X2N_COUNT];
static uint32_t crc32c_x2n[X2N_COUNT];
static uint64_t crc64_x2n[X2N_COUNT];
static int crc32c_hardware;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static uint32_t multmodp32(uint32_t a, uint32_t b, uint32_t poly) {
    uint32_t m = 1u << 31, p = 0;
    for (;;) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0) break;
        }
        m >>= 1;
        b = (b & 1) ? (b >> 1) ^ poly : b >> 1;
    }
    return p;
}

static uint64_t multmodp64(uint64_t a, uint64_t b, uint64_t poly) {
    uint64_t m = 1ull << 63, p = 0;
    for (;;) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0) break;
        }
        m >>= 1;
        b = (b & 1) ? (b >> 1) ^ poly : b >> 1;
    }
    return p;
}

static void build32(uint32_t table[8][256], uint32_t x2n[X2N_COUNT], uint32_t poly) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
        table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = table[0][n];
        for (int k = 1; k < 8; k++) {
            c = table[0][c & 0xff] ^ (c >> 8);
            table[k][n] = c;
        }
    }
    uint32_t p = 1u << 30; // x^1
    x2n[0] = p;
    for (int n = 1; n < X2N_COUNT; n++) x2n[n] = p = multmodp32(p, p, poly);
}

static void build64(void) {
    for (uint64_t n = 0; n < 256; n++) {
        uint64_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ CRC64NVME_POLY : c >> 1;
        crc64_table[0][n] = c;
    }
    for (uint64_t n = 0; n < 256; n++) {
        uint64_t c = crc64_table[0][n];
        for (int k = 1; k < 8; k++) {
            c = crc64_table[0][c & 0xff] ^ (c >> 8);
            crc64_table[k][n] = c;
        }
    }
    uint64_t p = 1ull << 62;
    crc64_x2n[0] = p;
    for (int n = 1; n < X2N_COUNT; n++) crc64_x2n[n] = p = multmodp64(p, p, CRC64NVME_POLY);
}

static void build_tables(void) {
    build32(crc32_table, crc32_x2n, CRC32_POLY);
    build32(crc32c_table, crc32c_x2n, CRC32C_POLY);
    build64();
#if defined(__x86_64__)
    __builtin_cpu_init();
    crc32c_hardware = __builtin_cpu_supports("sse4.2");
#endif
}

static inline void ensure_tables(void) { pthread_once(&tables_once, build_tables); }

static uint32_t slice32(uint32_t table[8][256], uint32_t c, const unsigned char *p, size_t n) {
    while (n && ((uintptr_t)p & 7)) {
        c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
        n--;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint32_t lo = c ^ (uint32_t)w;
        uint32_t hi = (uint32_t)(w >> 32);
        c = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
            table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^ table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return c;
}

uint32_t spore_crc32_update(uint32_t crc, const void *data, size_t length) {
    ensure_tables();
    return ~slice32(crc32_table, ~crc, (const unsigned char *)data, length);
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc32c_sse42(uint32_t c, const unsigned char *p, size_t n) {
    while (n && ((uintptr_t)p & 7)) {
        c = __builtin_ia32_crc32qi(c, *p++);
        n--;
    }
    uint64_t c64 = c;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c64 = __builtin_ia32_crc32di(c64, w);
        p += 8;
        n -= 8;
    }
    c = (uint32_t)c64;
    while (n--) c = __builtin_ia32_crc32qi(c, *p++);
    return c;
}
#endif

uint32_t spore_crc32c_update(uint32_t crc, const void *data, size_t length) {
    ensure_tables();
#if defined(__x86_64__)
    if (crc32c_hardware) return ~crc32c_sse42(~crc, (const unsigned char *)data, length);
#endif
    return ~slice32(crc32c_table, ~crc, (const unsigned char *)data, length);
}

uint64_t spore_crc64nvme_update(uint64_t crc, const void *data, size_t length) {
    ensure_tables();
    const unsigned char *p = (const unsigned char *)data;
    uint64_t c = ~crc;
    size_t n = length;
    while (n && ((uintptr_t)p & 7)) {
        c = crc64_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
        n--;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c ^= w;
        c = crc64_table[7][c & 0xff] ^ crc64_table[6][(c >> 8) & 0xff] ^ crc64_table[5][(c >> 16) & 0xff] ^
            crc64_table[4][(c >> 24) & 0xff] ^ crc64_table[3][(c >> 32) & 0xff] ^
            crc64_table[2][(c >> 40) & 0xff] ^ crc64_table[1][(c >> 48) & 0xff] ^ crc64_table[0][c >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) c = crc64_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}

static uint32_t x2nmodp32(const uint32_t x2n[X2N_COUNT], uint64_t n, unsigned k, uint32_t poly) {
    uint32_t p = 1u << 31;
    while (n) {
        if (n & 1) p = multmodp32(x2n[k], p, poly);
        n >>= 1;
        k++;
    }
    return p;
}

static uint64_t x2nmodp64(uint64_t n, unsigned k) {
    uint64_t p = 1ull << 63;
    while (n) {
        if (n & 1) p = multmodp64(crc64_x2n[k], p, CRC64NVME_POLY);
        n >>= 1;
        k++;
    }
    return p;
}

uint32_t spore_crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b) {
    ensure_tables();
    return multmodp32(x2nmodp32(crc32_x2n, length_b, 3, CRC32_POLY), crc_a, CRC32_POLY) ^ crc_b;
}

uint32_t spore_crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b) {
    ensure_tables();
    return multmodp32(x2nmodp32(crc32c_x2n, length_b, 3, CRC32C_POLY), crc_a, CRC32C_POLY) ^ crc_b;
}

uint64_t spore_crc64nvme_combine(uint64_t crc_a, uint64_t crc_b, uint64_t length_b) {
    ensure_tables();
    return multmodp64(x2nmodp64(length_b, 3), crc_a, CRC64NVME_POLY) ^ crc_b;
}
