#define _GNU_SOURCE
#include <fcntl.h>
#include "CFileSystem.h"

int spore_start_write_back(int descriptor, int64_t offset, int64_t byte_count) {
#ifdef SYNC_FILE_RANGE_WRITE
    return sync_file_range(descriptor, (off_t)offset, (off_t)byte_count, SYNC_FILE_RANGE_WRITE);
#else
    (void)descriptor; (void)offset; (void)byte_count;
    return 0;
#endif
}
