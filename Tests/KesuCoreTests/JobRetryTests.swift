import Foundation
import Testing
import KesuCore

struct JobRetryTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func retriesWaitTwiceAsLongEachTimeUpToAnHour() {
        let waits = (1..<JobRetry.maxAttempts).map { JobRetry.nextRun(after: $0, failedAt: now)?.timeIntervalSince(now) }
        #expect(waits == [30, 60, 120, 240, 480, 960, 1_920])
        #expect(JobRetry.nextRun(after: 1, failedAt: now) == now.addingTimeInterval(JobRetry.firstWait))
    }

    @Test func theLastAttemptIsTheLast() {
        #expect(JobRetry.nextRun(after: JobRetry.maxAttempts, failedAt: now) == nil)
        #expect(JobRetry.nextRun(after: JobRetry.maxAttempts + 3, failedAt: now) == nil)
    }

    @Test func aFailureSaysWhy() {
        #expect(JobFailure.temporary("timed out").reason == "timed out")
        #expect(JobFailure.permanent("no such number").reason == "no such number")
    }
}
