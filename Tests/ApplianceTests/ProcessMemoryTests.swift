import Testing

@testable import Appliance

@Suite struct ProcessMemoryTests {
    @Test func readsStatusAndTheIndexMappings() {
        let status = "Name:\tspore\nVmHWM:\t  200000 kB\nVmRSS:\t  150000 kB\nRssAnon:\t   40000 kB\nRssFile:\t  110000 kB\nRssShmem:\t       0 kB\n"
        let memory = ProcessMemory.parse(status: status)
        #expect(memory.peakResidentBytes == 200_000 * 1024 && memory.residentBytes == 150_000 * 1024)
        #expect(memory.anonymousBytes == 40_000 * 1024 && memory.fileBytes == 110_000 * 1024)
        let smaps = """
            7f0000000000-7f0040000000 r--s 00000000 08:01 1234                       /data/index/data.mdb
            Size:            1048576 kB
            Rss:               90000 kB
            7f0040000000-7f0040001000 r--p 00000000 08:01 99                         /usr/lib/libc.so.6
            Rss:                 100 kB
            7f0050000000-7f0050100000 rw-s 00000000 08:01 1234                       /data/index/data.mdb
            Rss:                  12 kB
            7f0060000000-7f0060100000 rw-p 00000000 00:00 0
            Rss:                5000 kB
            """
        #expect(ProcessMemory.residentBytes(ofMappingsOf: "/data/index/data.mdb", smaps: smaps) == 90_012 * 1024)
        #expect(ProcessMemory.residentBytes(ofMappingsOf: "/other/data.mdb", smaps: smaps) == 0)
    }
}
