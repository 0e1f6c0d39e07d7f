import Fluent
import Foundation
import Vapor

/// `kesu scheduler [--once]` — runs the clock scheduler alone (a worker process beside the web servers), or one
/// tick of it, printing what fired.
struct SchedulerCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "once", help: "Fire what is due now, print the tally and the time taken, and stop.")
        var once: Bool
        init() {}
    }

    var help: String { "Fires clock warnings and breaches as they fall due (what `serve` does in the background)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let scheduler = ClockScheduler(services: app.kesu, db: app.db, logger: app.logger)
        let jobs = JobRunner(services: app.kesu, db: app.db, logger: app.logger)
        let interval = max(app.kesu.config.schedulerInterval, 100)
        repeat {
            let started = ContinuousClock.now
            let tally = try await scheduler.tick()
            let ran = try await jobs.runDue()
            let took = ContinuousClock.now - started
            if signature.once || tally.batches > 0 {
                let ms = Double(took.components.seconds) * 1_000 + Double(took.components.attoseconds) / 1e15
                FileHandle.standardOutput.write(Data(String(
                    format: "tick: %d warnings, %d breaches, %d escalations, %d notifications in %d batches; "
                        + "jobs: %d done, %d retried, %d dead; %.1f ms\n",
                    tally.warnings, tally.breaches, tally.escalations, tally.notifications, tally.batches,
                    ran.done, ran.retried, ran.dead, ms).utf8))
            }
            if signature.once { return }
            try await Task.sleep(for: .milliseconds(interval))
        } while true
    }
}
