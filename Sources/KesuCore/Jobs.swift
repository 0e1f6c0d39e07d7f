import Foundation

/// 后台任务 — how the work queue treats a job that failed (see docs/jobs.md).
public enum JobRetry {
    /// After this many attempts a job that still fails is dead: kept for an admin to look at and retry.
    public static let maxAttempts = 8
    /// The first retry waits this long; each further one twice as long, up to ``longestWait``.
    public static let firstWait: TimeInterval = 30
    public static let longestWait: TimeInterval = 3_600

    /// When a job that failed temporarily on attempt `attempt` (1 for the first) runs again, or nil when it is dead.
    public static func nextRun(after attempt: Int, failedAt now: Date) -> Date? {
        guard attempt < maxAttempts else { return nil }
        let wait = min(firstWait * pow(2, Double(max(attempt, 1) - 1)), longestWait)
        return now.addingTimeInterval(wait)
    }
}

/// Why a job failed: a temporary failure (a service that did not answer) is retried with back-off; a permanent one
/// (a payload no one can deliver) goes straight to the dead letters.
public enum JobFailure: Error, Sendable, Equatable {
    case temporary(String)
    case permanent(String)

    public var reason: String {
        switch self {
        case .temporary(let reason), .permanent(let reason): reason
        }
    }
}
