import Foundation

/// 去信 — an e-mail Kesu sends, rendered as RFC 5322 text. Every header is built from checked parts: addresses
/// must be plain addresses, names and subjects lose their control characters and are sent as encoded words, so
/// nothing a customer typed can add a header or a recipient.
public struct OutgoingMail: Sendable, Equatable {
    public var from: MailAddress
    public var to: MailAddress
    public var subject: String
    public var body: String
    /// Without angle brackets.
    public var messageID: String
    public var inReplyTo: String?
    public var references: [String]
    /// Automatic notices say so (RFC 3834), so well-behaved auto-responders do not answer them.
    public var automatic: Bool
    /// Kesu's X-Loop value: a message that comes back carrying it is not taken in again.
    public var loopTag: String
    public var date: Date

    public init(from: MailAddress, to: MailAddress, subject: String, body: String, messageID: String,
                inReplyTo: String? = nil, references: [String] = [], automatic: Bool, loopTag: String, date: Date) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.automatic = automatic
        self.loopTag = loopTag
        self.date = date
    }

    /// The subject with the complaint's `[KS…]` tag, added once.
    public static func taggedSubject(_ subject: String, number: String) -> String {
        let tag = "[\(number)]"
        return subject.contains(tag) ? subject : tag + " " + subject
    }

    /// A Message-ID Kesu recognises when it comes back in In-Reply-To or References.
    public static func messageID(for id: UUID, domain: String) -> String {
        "kesu." + id.uuidString.lowercased() + "@" + domain
    }

    /// The whole message, CRLF line ends, the body UTF-8 in base64.
    public func rendered() -> String {
        var lines = [
            "From: " + Self.mailbox(from),
            "To: " + Self.mailbox(to),
            "Subject: " + EncodedWords.encode(subject),
            "Date: " + Self.rfc5322Date(date),
            "Message-ID: <\(Self.cleanID(messageID))>",
        ]
        if let inReplyTo { lines.append("In-Reply-To: <\(Self.cleanID(inReplyTo))>") }
        let refs = references.map(Self.cleanID).filter { !$0.isEmpty }.suffix(20)
        if !refs.isEmpty { lines.append("References: " + refs.map { "<\($0)>" }.joined(separator: "\r\n ")) }
        if automatic { lines.append("Auto-Submitted: auto-replied") }
        lines += [
            "X-Loop: " + Self.cleanID(loopTag),
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
        ]
        let text = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + TransferEncoding.base64Lines(Array(text.utf8))
    }

    /// `name <address>`, the name as encoded words or a quoted string, never able to break out of the header.
    static func mailbox(_ a: MailAddress) -> String {
        let name = a.name.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init)
        guard !name.isEmpty else { return "<\(a.address)>" }
        let text = String(name)
        if text.unicodeScalars.allSatisfy(\.isASCII) {
            let quoted = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(quoted)\" <\(a.address)>"
        }
        return EncodedWords.encode(text) + " <\(a.address)>"
    }

    /// An id with only the characters a msg-id may hold.
    static func cleanID(_ id: String) -> String {
        String(id.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F && !"<>\\\"()[],;:".unicodeScalars.contains($0) }
            .prefix(250).map(Character.init))
    }

    static func rfc5322Date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return f.string(from: date)
    }
}
