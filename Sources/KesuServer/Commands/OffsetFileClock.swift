import Foundation
import KesuCore
import NIOConcurrencyHelpers

/// The wall clock moved forward by the seconds written in a file — for browser tests that need "day 4" of a problem
/// parcel or an appeal window, and only when `KESU_CLOCK_OFFSET_FILE` names the file (never in production). The file
/// is read again at most every 200 ms; an unreadable file counts as no offset.
package final class OffsetFileClock: KesuCore.Clock, Sendable {
    private let path: String
    private let cached = NIOLockedValueBox<(offset: TimeInterval, readAt: Date)>((0, .distantPast))

    package init(path: String) { self.path = path }

    package func now() -> Date {
        let real = Date()
        let offset = cached.withLockedValue { state -> TimeInterval in
            guard real.timeIntervalSince(state.readAt) >= 0.2 else { return state.offset }
            let text = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            state = (text.flatMap(TimeInterval.init) ?? 0, real)
            return state.offset
        }
        return real.addingTimeInterval(offset)
    }
}
