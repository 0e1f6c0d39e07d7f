import Fluent
import Foundation
import KesuCore
import KesuStore
import Logging
import NIOConcurrencyHelpers
import Vapor

/// What one kind of job does.
package protocol JobHandler: Sendable {
    /// Does the job inside the transaction that marks it done, so what it writes to the database happens exactly
    /// once. Throws ``JobFailure`` to say whether trying again may help; any other error counts as temporary.
    func perform(_ job: JobRow, services: KesuServices, on tx: any Database) async throws
}

/// Runs the work queue: claims due jobs with a lease, runs each, and records it done, due again after a back-off
/// (temporary failures), or dead (permanent failures and the last attempt) — visible to admins on /admin/jobs.
package struct JobRunner: Sendable {
    let services: KesuServices
    let db: any Database
    let logger: Logger
    let handlers: [String: any JobHandler]
    /// Who holds a claimed job: unique per runner, so a worker whose lease ran out cannot finish a job another took.
    let worker: String
    /// How long a claim lasts before the job is free for another worker.
    let lease: TimeInterval

    package static let standardHandlers: [String: any JobHandler] = [
        Outbox.notifyKind: NotifyHandler(),
        ClockScheduler.jobKind(for: ClockSubject(kind: ProblemParcelService.clockKind, id: UUID())): ProblemParcelClockHandler(),
        ClockScheduler.jobKind(for: ClockSubject(kind: FineService.clockKind, id: UUID())): FineClockHandler(),
    ]

    package init(services: KesuServices, db: any Database, logger: Logger,
                 handlers: [String: any JobHandler] = JobRunner.standardHandlers, lease: TimeInterval = 60) {
        self.services = services
        self.db = db
        self.logger = logger
        self.handlers = handlers
        self.lease = lease
        worker = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    }

    package struct Tally: Sendable, Equatable {
        package var done = 0, retried = 0, dead = 0, lost = 0
        package init() {}
    }

    /// Runs every job due now, batch after batch, until none is left.
    @discardableResult
    package func runDue(batch: Int = 50) async throws -> Tally {
        var tally = Tally()
        while true {
            let now = services.now()
            guard try await JobStore.anyDue(at: now, on: db) else { break }
            let jobs = try await services.writer.write(on: db) { tx in
                try await JobStore.claim(at: now, leaseEnd: now.addingTimeInterval(lease), worker: worker, limit: batch,
                                         on: tx)
            }
            guard !jobs.isEmpty else { break }
            for job in jobs { try await run(job, into: &tally) }
        }
        if tally != Tally() {
            logger.info("jobs ran", metadata: ["done": "\(tally.done)", "retried": "\(tally.retried)", "dead": "\(tally.dead)"])
        }
        return tally
    }

    struct LeaseLost: Error {}

    private func run(_ job: JobRow, into tally: inout Tally) async throws {
        let failure: JobFailure
        do {
            guard let handler = handlers[job.kind] else { throw JobFailure.permanent("no handler for jobs of kind \(job.kind)") }
            try await services.writer.write(on: db) { tx in
                try await handler.perform(job, services: services, on: tx)
                guard try await JobStore.complete(job.id, worker: worker, at: services.now(), on: tx) else { throw LeaseLost() }
            }
            tally.done += 1
            return
        } catch is LeaseLost {
            tally.lost += 1
            return
        } catch let error as JobFailure {
            failure = error
        } catch {
            failure = .temporary(String(describing: error).prefix(500).description)
        }
        let now = services.now()
        if case .temporary(let reason) = failure, let next = JobRetry.nextRun(after: job.attempts, failedAt: now) {
            if try await services.writer.write(on: db, { try await JobStore.retry(job.id, worker: worker, at: next, error: reason, on: $0) }) {
                tally.retried += 1
            }
        } else if try await services.writer.write(on: db, {
            try await JobStore.bury(job.id, worker: worker, at: now, error: failure.reason, on: $0)
        }) {
            tally.dead += 1
            logger.warning("job dead", metadata: ["kind": "\(job.kind)", "job": "\(job.id)", "error": "\(failure.reason)"])
        }
    }
}

/// Runs `work` every `interval` milliseconds in the background while `serve` runs (0: not in this process) — the
/// clock scheduler (`KESU_SCHEDULER_INTERVAL_MS`) and the work queue (`KESU_JOB_POLL_MS`).
struct BackgroundLoop: LifecycleHandler {
    let name: String
    let interval: @Sendable (Application) -> Int
    let work: @Sendable (Application) -> @Sendable () async throws -> Void
    let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    static let scheduler = BackgroundLoop(name: "clock scheduler", interval: { $0.kesu.config.schedulerInterval }) { app in
        let scheduler = ClockScheduler(services: app.kesu, db: app.db, logger: app.logger)
        return { _ = try await scheduler.tick() }
    }

    static let jobs = BackgroundLoop(name: "work queue", interval: { $0.kesu.config.jobPollInterval }) { app in
        let runner = JobRunner(services: app.kesu, db: app.db, logger: app.logger)
        return { _ = try await runner.runDue() }
    }

    static let outbox = BackgroundLoop(name: "outbox", interval: { $0.kesu.config.outboxPollInterval }) { app in
        let sender = MessageSender(services: app.kesu, db: app.db, logger: app.logger)
        return { _ = try await sender.runDue() }
    }

    func didBootAsync(_ app: Application) async throws {
        let interval = interval(app)
        guard interval > 0 else { return }
        let run = work(app)
        let logger = app.logger, name = name
        task.withLockedValue {
            $0 = Task.detached {
                while !Task.isCancelled {
                    do { try await run() } catch { logger.error("\(name) failed: \(error)") }
                    try? await Task.sleep(for: .milliseconds(interval))
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        let running = task.withLockedValue { current -> Task<Void, Never>? in
            defer { current = nil }
            return current
        }
        running?.cancel()
        await running?.value
    }
}
