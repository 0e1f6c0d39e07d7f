import Foundation
import KesuCore
import KesuStore
import NIOCore
import NIOPosix
import NIOSSL

/// SMTP to the configured relay (RFC 5321): EHLO, STARTTLS when the relay offers it (or TLS from the start for
/// `smtps://`), AUTH PLAIN or LOGIN when a user is configured, then one message. A 4xx reply or a broken
/// connection is temporary; a 5xx reply to the sender, recipient or data is permanent.
struct SMTPTransport: MessageTransport {
    let settings: SMTPSettings
    var timeout: TimeAmount = .seconds(30)

    func send(_ message: OutboundRow, config: AppConfig, now: Date) async throws -> String? {
        let mail = try MailRendering.mail(message, config: config, now: now)
        do {
            try await deliver(mail)
        } catch let failure as JobFailure {
            throw failure
        } catch {
            throw JobFailure.temporary("SMTP \(settings.host):\(settings.port): \(type(of: error))")
        }
        return message.messageID
    }

    private func deliver(_ mail: OutgoingMail) async throws {
        let settings = settings
        var trust = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.caFile { trust.trustRoots = .file(caFile) }
        let tls = try NIOSSLContext(configuration: trust)
        // SNI takes names only; an address is checked against the certificate's IP entries instead.
        let isAddress = settings.host.allSatisfy { $0.isNumber || $0 == "." } || settings.host.contains(":")
        let serverName: String? = isAddress ? nil : settings.host
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if settings.implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let raw = channel.channel
        try await channel.executeThenClose { inbound, outbound in
            var session = SMTPSession(replies: inbound.makeAsyncIterator(), outbound: outbound)
            try await session.expect(220, "greeting")
            var encrypted = settings.implicitTLS
            var features = try await session.command("EHLO \(Self.helloName(mail.from.address))", expect: 250)
            if !settings.implicitTLS, features.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) {
                _ = try await session.command("STARTTLS", expect: 220)
                // Anything the relay sent before the handshake was not protected by it (CVE-2011-0411's injection).
                guard session.buffer.readableBytes == 0 else {
                    throw JobFailure.temporary("SMTP STARTTLS: the relay sent data before the TLS handshake")
                }
                try await raw.pipeline.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName),
                                                  position: .first).get()
                encrypted = true
                features = try await session.command("EHLO \(Self.helloName(mail.from.address))", expect: 250)
            }
            if let user = settings.user {
                // The password goes in clear only to a relay on this machine.
                guard encrypted || settings.isLoopback else {
                    throw JobFailure.permanent("SMTP \(settings.host): the relay offers no STARTTLS; the password is not sent in clear")
                }
                let password = settings.password ?? ""
                let auth = features.first { $0.uppercased().hasPrefix("AUTH") }?.uppercased() ?? ""
                if auth.contains("PLAIN") || !auth.contains("LOGIN") {
                    let token = Data(([0] + Array(user.utf8) + [0] + Array(password.utf8))).base64EncodedString()
                    _ = try await session.command("AUTH PLAIN \(token)", expect: 235, secret: true)
                } else {
                    _ = try await session.command("AUTH LOGIN", expect: 334)
                    _ = try await session.command(Data(user.utf8).base64EncodedString(), expect: 334, secret: true)
                    _ = try await session.command(Data(password.utf8).base64EncodedString(), expect: 235, secret: true)
                }
            }
            _ = try await session.command("MAIL FROM:<\(mail.from.address)>", expect: 250)
            _ = try await session.command("RCPT TO:<\(mail.to.address)>", expect: 250)
            _ = try await session.command("DATA", expect: 354)
            // Dot-stuffing: a line that starts with a dot gets another.
            let body = mail.rendered().replacingOccurrences(of: "\r\n.", with: "\r\n..")
            _ = try await session.command(body + (body.hasSuffix("\r\n") ? "." : "\r\n."), expect: 250)
            _ = try? await session.command("QUIT", expect: 221)
        }
    }

    /// The name we greet with: our address's domain.
    static func helloName(_ address: String) -> String {
        String(address.split(separator: "@").last ?? "localhost")
    }
}

/// One SMTP conversation: commands out, replies (multi-line `250-…` … `250 …`) in.
struct SMTPSession {
    var replies: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var buffer = ByteBuffer()

    /// Sends one command and reads its reply; a reply other than `expect` fails the send — temporarily for 4xx.
    mutating func command(_ line: String, expect code: Int, secret: Bool = false) async throws -> [String] {
        try await outbound.write(ByteBuffer(string: line + "\r\n"))
        return try await expect(code, secret ? "AUTH" : String(line.prefix(while: { $0 != " " && $0 != ":" }).prefix(10)))
    }

    mutating func expect(_ code: Int, _ step: String) async throws -> [String] {
        let (got, lines) = try await reply()
        guard got == code else {
            let said = lines.last.map { String($0.prefix(200)) } ?? ""
            if (400..<500).contains(got) || got == 0 { throw JobFailure.temporary("SMTP \(step): \(got) \(said)") }
            throw JobFailure.permanent("SMTP \(step): \(got) \(said)")
        }
        return lines
    }

    /// One reply: its code and its lines' texts.
    mutating func reply() async throws -> (Int, [String]) {
        var lines: [String] = []
        while true {
            let line = try await nextLine()
            let code = Int(line.prefix(3)) ?? 0
            lines.append(String(line.dropFirst(4)))
            if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" || lines.count > 100 { return (code, lines) }
        }
    }

    mutating func nextLine() async throws -> String {
        while true {
            if let view = buffer.readableBytesView.firstIndex(of: 0x0A) {
                let length = view - buffer.readerIndex + 1
                let line = buffer.readString(length: length) ?? ""
                return line.trimmingCharacters(in: .newlines)
            }
            guard buffer.readableBytes < 64 * 1_024, var more = try await replies.next() else {
                throw JobFailure.temporary("SMTP: the relay closed the connection")
            }
            buffer.writeBuffer(&more)
        }
    }
}
