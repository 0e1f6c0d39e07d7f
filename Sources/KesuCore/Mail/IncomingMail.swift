import Foundation

/// 来信 — what Kesu reads from an e-mail a customer sent: who, about what, in reply to which of our messages, the
/// new text (the quoted earlier message stripped), and the attached files.
public struct IncomingMail: Sendable {
    public var from: MailAddress?
    public var subject: String
    /// The Message-ID without angle brackets; nil when the message has none.
    public var messageID: String?
    /// In-Reply-To first, then References newest first: the ids this message answers.
    public var answers: [String]
    /// Why the message is automatic (an auto-reply, a bounce, a list, our own loop), or nil when a person wrote it.
    public var automatic: String?
    public var text: String
    public var attachments: [(name: String, bytes: [UInt8])]

    /// Reads a parsed message; `loopTag` is the X-Loop value Kesu puts on what it sends.
    public init(_ entity: MIMEEntity, loopTag: String) {
        from = entity.header("from").flatMap(MailAddress.init(header:))
        subject = EncodedWords.decode(entity.header("subject") ?? "").trimmed
        messageID = entity.header("message-id").flatMap { Self.ids(in: $0).first }
        var answers = entity.header("in-reply-to").map(Self.ids(in:)) ?? []
        for id in (entity.header("references").map(Self.ids(in:)) ?? []).reversed() where !answers.contains(id) {
            answers.append(id)
        }
        self.answers = Array(answers.prefix(50))
        automatic = Self.automaticReason(entity, loopTag: loopTag, from: from)
        let leaves = entity.leaves
        // A multipart without a usable boundary is read as the text it holds.
        let bodyIndex = leaves.firstIndex { ($0.mediaType == "text/plain" || $0.isMultipart) && !Self.isAttachment($0) }
            ?? leaves.firstIndex { $0.mediaType == "text/html" && !Self.isAttachment($0) }
        if let bodyIndex {
            let body = leaves[bodyIndex]
            text = MailText.stripQuoted(body.mediaType == "text/html" ? MailText.fromHTML(body.text) : body.text)
        } else {
            text = ""
        }
        attachments = leaves.indices
            .filter { $0 != bodyIndex && (leaves[$0].fileName != nil || Self.isAttachment(leaves[$0])) }
            .enumerated().map { n, i in (leaves[i].fileName ?? "attachment-\(n + 1)", leaves[i].decodedBody) }
            .filter { !$0.1.isEmpty }
    }

    static func isAttachment(_ part: MIMEEntity) -> Bool {
        if part.disposition?.value.lowercased() == "attachment" { return true }
        return !part.mediaType.hasPrefix("text/") && !part.isMultipart
    }

    /// The `<id>`s in a header, brackets removed.
    static func ids(in header: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(header)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[rest.index(after: open)..<close].trimmed
            if !id.isEmpty, id.utf8.count <= 250 { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        if ids.isEmpty, let bare = header.split(whereSeparator: \.isWhitespace).first, bare.contains("@"), bare.utf8.count <= 250 {
            ids.append(String(bare))
        }
        return ids
    }

    /// RFC 3834 and the common conventions: Auto-Submitted other than `no`, Precedence bulk/junk/list, a List-Id,
    /// auto-responder headers, delivery reports and mailer daemons, and our own X-Loop.
    static func automaticReason(_ entity: MIMEEntity, loopTag: String, from: MailAddress?) -> String? {
        if entity.headers("x-loop").contains(where: { $0.lowercased().contains(loopTag.lowercased()) }) { return "loop" }
        if let auto = entity.header("auto-submitted")?.lowercased(), !auto.hasPrefix("no") { return "auto-submitted" }
        if let p = entity.header("precedence")?.lowercased().trimmed, ["bulk", "junk", "list", "auto_reply"].contains(p) {
            return "precedence " + p
        }
        if entity.header("list-id") != nil { return "mailing list" }
        if entity.header("x-autoreply") != nil || entity.header("x-autorespond") != nil
            || entity.header("x-auto-response-suppress")?.lowercased().contains("all") == true { return "auto-reply" }
        if entity.mediaType == "multipart/report" { return "delivery report" }
        if entity.header("return-path")?.trimmed == "<>" { return "bounce" }
        if let local = from?.address.split(separator: "@").first?.lowercased(),
           ["mailer-daemon", "postmaster", "no-reply", "noreply"].contains(local) { return "mailer daemon" }
        return nil
    }
}

/// An address and the name shown with it.
public struct MailAddress: Sendable, Equatable {
    public var name: String
    /// Lowercased.
    public var address: String

    public init?(header raw: String) {
        let decoded = raw.trimmed
        var address = decoded
        var name = ""
        if let open = decoded.lastIndex(of: "<"), let close = decoded[open...].firstIndex(of: ">") {
            address = decoded[decoded.index(after: open)..<close].trimmed
            name = EncodedWords.decode(decoded[..<open].trimmed)
        } else if let first = decoded.split(separator: ",").first {
            address = first.split(whereSeparator: \.isWhitespace).first { $0.contains("@") }.map(String.init) ?? ""
            if let paren = decoded.firstIndex(of: "("), let closing = decoded.lastIndex(of: ")"), paren < closing {
                name = EncodedWords.decode(decoded[decoded.index(after: paren)..<closing].trimmed)
            }
        }
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: "\"' ")).trimmed
        guard let valid = Self.check(address) else { return nil }
        self.address = valid
        self.name = String(name.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init)).trimmed
    }

    public init?(address: String, name: String = "") {
        guard let valid = Self.check(address) else { return nil }
        self.address = valid
        self.name = name
    }

    /// A plain `local@domain` address: one @, no spaces, brackets, quotes or control characters, at most 254 bytes.
    static func check(_ raw: String) -> String? {
        let a = raw.trimmed.lowercased()
        let parts = a.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), a.utf8.count <= 254,
              a.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && !"<>\"(),;:\\[]".unicodeScalars.contains($0) })
        else { return nil }
        return a
    }
}

/// Reading what a person wrote: the text without the message it quotes, and what can be found in it.
public enum MailText {
    /// Cuts the quoted earlier message: `>` lines, and everything from the usual reply headers of Chinese and
    /// Western clients (Foxmail/QQ's 原始邮件, Outlook's 发件人/From blocks, "在…写道：", "On … wrote:") or a
    /// signature separator.
    public static func stripQuoted(_ text: String) -> String {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        var kept: [Substring] = []
        for (n, line) in lines.enumerated() {
            let t = line.trimmed
            if t.hasPrefix(">") { continue }
            if line == "-- " || t.contains("原始邮件") || t.contains("Original Message") || t.contains("邮件原件")
                || (t.hasPrefix("在") && (t.hasSuffix("写道：") || t.hasSuffix("写道:")))
                || (t.hasPrefix("On ") && t.hasSuffix("wrote:")) { break }
            if t.hasPrefix("发件人:") || t.hasPrefix("发件人：") || t.hasPrefix("From:") {
                let next = lines.dropFirst(n + 1).prefix(4).map { $0.trimmed }
                if next.contains(where: { $0.hasPrefix("发送时间") || $0.hasPrefix("Sent:") || $0.hasPrefix("Date:")
                    || $0.hasPrefix("日期") || $0.hasPrefix("收件人") || $0.hasPrefix("To:") }) { break }
            }
            kept.append(line)
        }
        return kept.joined(separator: "\n").trimmed
    }

    /// An HTML body as text: tags dropped, block ends as line breaks, the commonest entities read.
    public static func fromHTML(_ html: String) -> String {
        var out = ""
        var inTag = false
        var tag = ""
        var skipping = false
        for c in html {
            if inTag {
                if c == ">" {
                    inTag = false
                    let name = tag.lowercased().split(whereSeparator: { $0 == " " || $0 == "/" }).first.map(String.init) ?? ""
                    if ["br", "p", "div", "tr", "li"].contains(name) || tag.lowercased().hasPrefix("/p") || tag.lowercased().hasPrefix("/div") { out += "\n" }
                    if name == "style" || name == "script" { skipping = true }
                    if tag.lowercased().hasPrefix("/style") || tag.lowercased().hasPrefix("/script") { skipping = false }
                } else {
                    tag.append(c)
                }
            } else if c == "<" {
                inTag = true
                tag = ""
            } else if !skipping {
                out.append(c)
            }
        }
        for (entity, char) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: char)
        }
        return out
    }

    /// Mainland mobile numbers written in the text (11 digits from 13–19, not inside a longer number).
    public static func phones(in text: String) -> [String] {
        runs(in: text) { $0.count == 11 && $0.first == "1" && "3456789".contains($0[$0.index(after: $0.startIndex)]) && $0.allSatisfy(\.isNumber) }
    }

    /// Waybill numbers written in the text: 10 to 20 letters and digits with at least 10 digits, not a phone
    /// number and not one of our complaint numbers.
    public static func waybills(in text: String) -> [String] {
        let phones = Set(phones(in: text))
        return runs(in: text) { run in
            let digits = run.filter(\.isNumber).count
            return (10...20).contains(run.count) && digits >= 10 && !phones.contains(run) && !run.uppercased().hasPrefix("KS")
                && run.prefix(while: { !$0.isNumber }).count <= 4 && run.drop(while: { !$0.isNumber }).allSatisfy(\.isNumber)
        }.map { $0.uppercased() }
    }

    /// Complaint numbers in a subject's `[KS…]` tags.
    public static func complaintNumbers(inSubject subject: String) -> [ComplaintNumber] {
        var found: [ComplaintNumber] = []
        var rest = Substring(subject)
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            if let n = ComplaintNumber(String(rest[rest.index(after: open)..<close])), !found.contains(n) { found.append(n) }
            rest = rest[rest.index(after: close)...]
        }
        return found
    }

    /// Maximal runs of ASCII letters and digits that satisfy `keep`, each once, in order.
    static func runs(in text: String, _ keep: (String) -> Bool) -> [String] {
        var found: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty, keep(current), !found.contains(current) { found.append(current) }
            current = ""
        }
        for c in text {
            if c.isASCII, c.isLetter || c.isNumber { current.append(c) } else { flush() }
            if found.count >= 20 { break }
        }
        flush()
        return found
    }
}
