import Fluent
import Foundation
import Vapor

/// `kesu outbox [--once]` — sends the customer messages due (what `serve` does in the background, for a worker
/// process beside the web servers), or those due now, printing the tally and the time taken.
struct OutboxCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "once", help: "Send what is due now, print the tally and the time taken, and stop.")
        var once: Bool
        init() {}
    }

    var help: String { "Sends the e-mails (and next SMS and WeChat messages) due to customers." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let sender = MessageSender(services: app.kesu, db: app.db, logger: app.logger)
        let interval = max(app.kesu.config.outboxPollInterval, 100)
        repeat {
            let started = ContinuousClock.now
            let tally = try await sender.runDue()
            let took = ContinuousClock.now - started
            if signature.once || tally != MessageSender.Tally() {
                let ms = Double(took.components.seconds) * 1_000 + Double(took.components.attoseconds) / 1e15
                FileHandle.standardOutput.write(Data(String(
                    format: "outbox: %d sent, %d retried, %d given up in %.1f ms\n", tally.sent, tally.retried, tally.dead, ms).utf8))
            }
            if signature.once { return }
            try await Task.sleep(for: .milliseconds(interval))
        } while true
    }
}
