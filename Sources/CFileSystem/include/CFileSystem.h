#ifndef SPORE_CFILESYSTEM_H
#define SPORE_CFILESYSTEM_H

#include <stdint.h>

/// Starts write-back of a file range without waiting for it (Linux `sync_file_range` with
/// `SYNC_FILE_RANGE_WRITE`; a no-op elsewhere). Glibc only declares it under _GNU_SOURCE, which
/// Swift's Glibc module does not set, hence this shim. Returns 0 or -1 with errno set.
int spore_start_write_back(int descriptor, int64_t offset, int64_t byte_count);

#endif
