import Foundation
import Synchronization

/// Where time comes from. Everything that depends on the date (expiry, lifecycle, signatures,
/// Last-Modified) asks a clock, so tests move time instead of sleeping.
public protocol WallClock: Sendable {
    /// Milliseconds since the Unix epoch.
    func nowMilliseconds() -> Int64
}

/// The system's real-time clock.
public struct SystemWallClock: WallClock {
    public init() {}

    public func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

/// A clock that follows the system clock shifted by an offset that tests (or the
/// `SPORE_CLOCK_OFFSET_SECONDS` debug setting) can move forward.
public final class OffsetWallClock: WallClock {
    private let offsetMilliseconds = Atomic<Int64>(0)
    private let base: any WallClock

    public init(base: any WallClock = SystemWallClock(), offsetMilliseconds: Int64 = 0) {
        self.base = base
        self.offsetMilliseconds.store(offsetMilliseconds, ordering: .relaxed)
    }

    public func advance(milliseconds: Int64) {
        offsetMilliseconds.add(milliseconds, ordering: .relaxed)
    }

    public func nowMilliseconds() -> Int64 {
        base.nowMilliseconds() + offsetMilliseconds.load(ordering: .relaxed)
    }
}

/// A clock that stands still until moved: for unit tests.
public final class ManualWallClock: WallClock {
    private let current: Atomic<Int64>

    public init(milliseconds: Int64) {
        current = Atomic(milliseconds)
    }

    public func set(milliseconds: Int64) { current.store(milliseconds, ordering: .relaxed) }

    public func advance(milliseconds: Int64) { current.add(milliseconds, ordering: .relaxed) }

    public func nowMilliseconds() -> Int64 { current.load(ordering: .relaxed) }
}
