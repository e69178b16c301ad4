import Testing

@testable import Appliance

/// The connection caps, without sockets.
@Suite struct ConnectionCountsTests {
    @Test func capsPerAddressAndPerListener() {
        var limits = ConnectionLimits()
        limits.connectionCountMax = 3
        limits.connectionsPerAddressMax = 2
        var counts = ConnectionCounts()
        #expect(counts.admit("a", limits: limits) == nil)
        #expect(counts.admit("a", limits: limits) == nil)
        #expect(counts.admit("a", limits: limits) == .addressFull)
        #expect(counts.admit("b", limits: limits) == nil)
        #expect(counts.admit("c", limits: limits) == .listenerFull)
        counts.release("a")
        #expect(counts.admit("c", limits: limits) == nil)
        counts.release("a")
        counts.release("b")
        counts.release("c")
        #expect(counts == ConnectionCounts())
    }

    @Test func headerEndIsFoundAcrossReads() {
        #expect(AdmissionGuard.containsHeaderEnd(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)))
        #expect(!AdmissionGuard.containsHeaderEnd(Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8)))
        #expect(AdmissionGuard.containsHeaderEnd(Array("\r\n".utf8) + Array("\r\n".utf8)))
        #expect(!AdmissionGuard.containsHeaderEnd([]))
    }
}
