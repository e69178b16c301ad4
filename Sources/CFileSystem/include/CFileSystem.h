#ifndef SPORE_CFILESYSTEM_H
#define SPORE_CFILESYSTEM_H

#include <stdint.h>

/// Starts write-back of a file range without waiting for it (Linux `sync_file_range` with
/// `SYNC_FILE_RANGE_WRITE`; a no-op elsewhere). Glibc only declares it under _GNU_SOURCE, which
/// Swift's Glibc module does not set, hence this shim. Returns 0 or -1 with errno set.
int spore_start_write_back(int descriptor, int64_t offset, int64_t byte_count);

/// Reads up to `byte_count` bytes at `offset` only if they are in the page cache (Linux `preadv2`
/// with `RWF_NOWAIT`): returns the count read, or -1 with errno EAGAIN when the read would wait for
/// the disk (EOPNOTSUPP or ENOSYS where the kernel or file system cannot tell).
int64_t spore_read_if_cached(int descriptor, void *buffer, int64_t byte_count, int64_t offset);

#endif
