import Fluent
import Foundation
import KesuCore
import KesuStore
import Logging

/// 发件 — sends the customer messages whose time has come. A message is claimed with a lease in one transaction,
/// sent outside any transaction (a slow relay holds no lock), and recorded sent, failed (retried with back-off) or
/// dead in another. A sender that dies mid-send leaves the message claimed; once the lease is over another sender
/// asks the service whether it went (SMS) before sending again, so each message goes at most once where the
/// service can say, and in any case eventually.
package struct MessageSender: Sendable {
    let services: KesuServices
    let db: any Database
    let logger: Logger
    let transports: [String: any MessageTransport]
    let worker: String
    let lease: TimeInterval

    package init(services: KesuServices, db: any Database, logger: Logger,
                 transports: [String: any MessageTransport]? = nil, lease: TimeInterval = 120) {
        self.services = services
        self.db = db
        self.logger = logger
        self.transports = transports ?? Self.configured(services.config)
        self.lease = lease
        worker = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    }

    /// The transports the configuration sets up.
    static func configured(_ config: AppConfig) -> [String: any MessageTransport] {
        var transports: [String: any MessageTransport] = [:]
        if let url = config.smtpURL, let settings = SMTPSettings(url, caFile: config.smtpCAFile) {
            transports["email"] = SMTPTransport(settings: settings)
        } else if let path = config.sendmailPath {
            transports["email"] = SendmailTransport(path: path)
        }
        if let sms = config.sms { transports["sms"] = SMSTransport(settings: sms) }
        if let wechat = config.wechat, wechat.secret != nil { transports["wechat"] = WeChatTransport(api: WeChatAPI(settings: wechat)) }
        return transports
    }

    package struct Tally: Sendable, Equatable {
        package var sent = 0, retried = 0, dead = 0, lost = 0, delivered = 0, undelivered = 0
        package init() {}
    }

    /// Sends every message due now, batch after batch, until none is left.
    @discardableResult
    package func runDue(batch: Int = 20) async throws -> Tally {
        var tally = Tally()
        // What followers sent on WeChat first: what it becomes may be a message to send now.
        if services.config.wechat != nil {
            do { try await WeChatIntake(services: services, db: db).drain(logger: logger) } catch {
                logger.warning("WeChat pushes not taken this time",
                               metadata: ["why": "\((error as? JobFailure)?.reason ?? String(describing: type(of: error)))"])
            }
        }
        while true {
            let now = services.now()
            guard try await MessageStore.anyDue(at: now, on: db) else { break }
            let claimed = try await services.writer.write(on: db) { tx in
                try await MessageStore.claim(at: now, leaseEnd: now.addingTimeInterval(lease), worker: worker, limit: batch, on: tx)
            }
            guard !claimed.isEmpty else { break }
            for message in claimed { try await deliver(message, into: &tally) }
        }
        try await collectReports(into: &tally, batch: batch)
        if tally != Tally() {
            logger.info("messages sent", metadata: ["sent": "\(tally.sent)", "retried": "\(tally.retried)", "dead": "\(tally.dead)"])
        }
        return tally
    }

    private func deliver(_ message: OutboundRow, into tally: inout Tally) async throws {
        let failure: JobFailure
        do {
            guard let transport = transports[message.channel] else {
                throw JobFailure.permanent("no \(message.channel) service is configured")
            }
            var ref: String??
            if message.attempts > 1 { ref = try await transport.wasSent(message, config: services.config) }
            if ref == nil || ref == .some(nil) {
                ref = .some(try await transport.send(message, config: services.config, now: services.now()))
            }
            let now = services.now()
            let sentRef = ref ?? nil
            let recorded = try await services.writer.write(on: db) { tx in
                guard try await MessageStore.sent(message.id, worker: worker, ref: sentRef, at: now,
                                                  reportAt: transport.reportsDelivery ? now + Self.reportDelay : nil, on: tx)
                else { return false }
                try await record(message, "message_sent", at: now, on: tx)
                return true
            }
            if recorded { tally.sent += 1 } else { tally.lost += 1 }
            return
        } catch let error as JobFailure {
            failure = error
        } catch {
            failure = .temporary(String(describing: type(of: error)))
        }
        let now = services.now()
        if case .temporary(let reason) = failure, let next = JobRetry.nextRun(after: message.attempts, failedAt: now) {
            let retried = try await services.writer.write(on: db) { tx in
                guard try await MessageStore.retry(message.id, worker: worker, at: next, error: reason, on: tx) else { return false }
                if message.attempts == 1 { try await record(message, "message_failed", at: now, on: tx) }
                return true
            }
            if retried { tally.retried += 1 }
        } else {
            let buried = try await services.writer.write(on: db) { tx in
                guard try await MessageStore.bury(message.id, worker: worker, at: now, error: failure.reason, on: tx) else { return false }
                try await record(message, "message_dead", at: now, on: tx)
                return true
            }
            if buried {
                tally.dead += 1
                logger.warning("message given up", metadata: ["channel": "\(message.channel)", "message": "\(message.id)",
                                                              "error": "\(failure.reason)"])
            }
        }
    }

    /// How long after sending, and between askings, a delivery report is asked for.
    static let reportDelay: TimeInterval = 60

    /// Asks the services that report delivery what became of the messages sent a minute or more ago.
    private func collectReports(into tally: inout Tally, batch: Int) async throws {
        while true {
            let now = services.now()
            let due = try await services.writer.write(on: db) { tx in
                try await MessageStore.claimReports(at: now, next: now + Self.reportDelay * 5, limit: batch, on: tx)
            }
            for message in due.waiting {
                guard let transport = transports[message.channel] else { continue }
                let report: DeliveryReport
                do { report = try await transport.report(message, config: services.config) } catch { continue }
                guard report != .pending else { continue }
                let at = services.now()
                let delivered = report == .delivered
                let why: String? = if case .undelivered(let reason) = report { reason } else { nil }
                let recorded = try await services.writer.write(on: db) { tx in
                    guard try await MessageStore.reported(message.id, delivered: delivered, error: why, at: at, on: tx) else {
                        return false
                    }
                    try await record(message, delivered ? "message_delivered" : "message_undelivered", at: at, on: tx)
                    return true
                }
                if recorded, delivered { tally.delivered += 1 } else if recorded { tally.undelivered += 1 }
            }
            if due.claimed < batch { return }
        }
    }

    /// The message's new state on its complaint's timeline (staff only).
    func record(_ message: OutboundRow, _ kind: String, at now: Date, on tx: any Database) async throws {
        try await Self.record(message, kind, at: now, services: services, on: tx)
    }

    static func record(_ message: OutboundRow, _ kind: String, at now: Date, services: KesuServices,
                       on tx: any Database) async throws {
        guard let complaintID = message.complaintID else { return }
        try await ComplaintStore.append([ComplaintEventModel(
            id: services.ids.next(), complaintID: complaintID, at: now, actorID: nil, actorName: "Kesu", kind: kind,
            customerVisible: false, note: nil,
            after: ["channel": message.channel, "notice": message.notice, "to": CustomerNotices.mask(message.recipient),
                    "message": message.id.uuidString])], on: tx)
    }
}
