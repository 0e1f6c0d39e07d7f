import Foundation
import KesuCore
import KesuStore

/// One way out to customers (e-mail, SMS, WeChat): the seam between the outbox and a third party's service, with a
/// real implementation and, in tests, a fake that speaks the same protocol.
package protocol MessageTransport: Sendable {
    /// Sends one message; returns the service's id for it. Throws ``JobFailure`` — temporary when trying again may
    /// help (a timeout, a 4xx SMTP reply), permanent when it cannot (a refused address).
    func send(_ message: OutboundRow, config: AppConfig, now: Date) async throws -> String?

    /// Whether an earlier attempt at this message was sent after all: asked before trying again, since sending is
    /// not idempotent. `nil` when the service cannot tell (SMTP), and the message is sent again with the same id.
    func wasSent(_ message: OutboundRow, config: AppConfig) async throws -> String??

    /// Whether the service reports delivery (an SMS gateway's 回执); then ``report(_:config:)`` is asked after sending.
    var reportsDelivery: Bool { get }

    /// What became of a sent message, as the service knows it now.
    func report(_ message: OutboundRow, config: AppConfig) async throws -> DeliveryReport
}

/// A service's delivery report on one message.
package enum DeliveryReport: Sendable, Equatable {
    case delivered
    case undelivered(String)
    /// Not known yet: ask again later.
    case pending
}

extension MessageTransport {
    package func wasSent(_ message: OutboundRow, config: AppConfig) async throws -> String?? { nil }
    package var reportsDelivery: Bool { false }
    package func report(_ message: OutboundRow, config: AppConfig) async throws -> DeliveryReport { .pending }
}

/// E-mail to the customer, rendered with its threading headers.
enum MailRendering {
    static func mail(_ message: OutboundRow, config: AppConfig, now: Date) throws -> OutgoingMail {
        guard let from = MailAddress(address: config.mailFrom, name: "客服中心 Customer Service") else {
            throw JobFailure.permanent("KESU_MAIL_FROM is not an address")
        }
        guard let to = MailAddress(address: message.recipient) else {
            throw JobFailure.permanent("the customer's address is not an e-mail address")
        }
        return OutgoingMail(from: from, to: to, subject: message.subject, body: message.body, messageID: message.messageID,
                            inReplyTo: message.inReplyTo, references: message.references,
                            automatic: message.notice != NoticeKind.reply.rawValue, loopTag: config.mailFrom, date: now)
    }
}

/// `sendmail -t -i`: the local MTA takes the message (and queues it if the next hop is down). Its exit code says
/// whether trying again may help (sysexits.h: 75 and 69 are temporary).
struct SendmailTransport: MessageTransport {
    let path: String

    func send(_ message: OutboundRow, config: AppConfig, now: Date) async throws -> String? {
        let text = try MailRendering.mail(message, config: config, now: now).rendered()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-t", "-i", "-f", config.mailFrom]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do { try process.run() } catch { throw JobFailure.temporary("cannot run \(path)") }
        let status: Int32 = await withCheckedContinuation { done in
            DispatchQueue.global().async {
                input.fileHandleForWriting.write(Data(text.utf8))
                try? input.fileHandleForWriting.close()
                process.waitUntilExit()
                done.resume(returning: process.terminationStatus)
            }
        }
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile().prefix(300), as: UTF8.self)
        switch status {
        case 0: return message.messageID
        case 69, 70, 71, 74, 75: throw JobFailure.temporary("sendmail exited \(status) \(said)")
        default: throw JobFailure.permanent("sendmail exited \(status) \(said)")
        }
    }
}

/// `KESU_SMTP_URL` read: where the relay is, how to reach it, who to log in as.
package struct SMTPSettings: Sendable, Equatable {
    package var host: String
    package var port: Int
    /// TLS from the first byte (`smtps://`, port 465); otherwise STARTTLS when the relay offers it.
    package var implicitTLS: Bool
    package var user: String?
    package var password: String?
    /// `KESU_SMTP_CA_FILE`: the PEM certificates the relay's certificate must chain to, instead of the system's (a
    /// company relay with its own CA).
    package var caFile: String?

    package init?(_ url: URL, caFile: String? = nil) {
        guard let host = url.host, !host.isEmpty, let scheme = url.scheme, scheme == "smtp" || scheme == "smtps" else { return nil }
        self.host = host
        implicitTLS = scheme == "smtps"
        port = url.port ?? (implicitTLS ? 465 : 587)
        user = url.user?.removingPercentEncoding
        password = url.password?.removingPercentEncoding
        self.caFile = caFile
    }

    /// A relay on this machine, where nothing on the wire leaves it.
    var isLoopback: Bool { host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]" }

    /// The URL with its password hidden, for messages and logs.
    package static func redacted(_ raw: String) -> String {
        guard let url = URL(string: raw), url.password != nil,
              var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return raw.contains("@") ? "(hidden)" : raw }
        parts.password = "***"
        return parts.string ?? "(hidden)"
    }
}
