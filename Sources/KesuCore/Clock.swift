import Foundation

/// Where "now" comes from. Domain rules take a clock, never read `Date()`, so tests can fix time.
public protocol Clock: Sendable {
    func now() -> Date
}

/// The real wall clock.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that says what it is told; for tests.
public final class FixedClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    public init(_ date: Date) { current = date }
    public func now() -> Date { lock.withLock { current } }
    public func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// Makes identifiers: UUIDs whose first 48 bits are the millisecond time (version 7), so rows made together sit
/// together in indexes. Within one millisecond the next 12 bits count up (RFC 9562, method 1), so the identifiers one
/// process makes sort in the order it made them — entries of a timeline written at the same instant keep their order.
public struct IDGenerator: Sendable {
    let clock: any Clock
    private let sequence = Sequence()
    public init(clock: any Clock) { self.clock = clock }

    private final class Sequence: @unchecked Sendable {
        let lock = NSLock()
        var lastMillis: UInt64 = 0
        var counter: UInt64 = 0

        /// The millisecond and counter for the next identifier: the counter restarts at a random low value each new
        /// millisecond and, should it run out, borrows the next millisecond.
        func next(_ now: UInt64) -> (UInt64, UInt64) {
            lock.withLock {
                if now > lastMillis {
                    lastMillis = now
                    counter = UInt64.random(in: 0..<1_024)
                } else if counter < 0xFFF {
                    counter += 1
                } else {
                    lastMillis += 1
                    counter = 0
                }
                return (lastMillis, counter)
            }
        }
    }

    public func next() -> UUID {
        let (ms, counter) = sequence.next(UInt64(max(0, clock.now().timeIntervalSince1970 * 1000)))
        var rng = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: ms >> (8 * (5 - UInt64(i)))) }
        for i in 8..<16 { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        bytes[6] = 0x70 | UInt8(truncatingIfNeeded: counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
