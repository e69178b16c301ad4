#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include "CFileSystem.h"

int spore_start_write_back(int descriptor, int64_t offset, int64_t byte_count) {
#ifdef SYNC_FILE_RANGE_WRITE
    return sync_file_range(descriptor, (off_t)offset, (off_t)byte_count, SYNC_FILE_RANGE_WRITE);
#else
    (void)descriptor; (void)offset; (void)byte_count;
    return 0;
#endif
}

int64_t spore_read_if_cached(int descriptor, void *buffer, int64_t byte_count, int64_t offset) {
#ifdef RWF_NOWAIT
    struct iovec vector = { .iov_base = buffer, .iov_len = (size_t)byte_count };
    ssize_t result;
    do {
        result = preadv2(descriptor, &vector, 1, (off_t)offset, RWF_NOWAIT);
    } while (result < 0 && errno == EINTR);
    return (int64_t)result;
#else
    (void)descriptor; (void)buffer; (void)byte_count; (void)offset;
    errno = EOPNOTSUPP;
    return -1;
#endif
}
