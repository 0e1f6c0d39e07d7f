import Foundation

/// 邮件 — one RFC 5322 message, or one MIME part of it: its header fields, its body as sent, and its parts when it
/// is a multipart. Parsing never crashes and never runs away: a message past ``MailLimits`` is refused with a
/// ``MailRefusal``; anything merely malformed is read as well as it can be.
public struct MIMEEntity: Sendable {
    /// Header fields in order, names lowercased, folded lines joined.
    public var fields: [(name: String, value: String)]
    /// The body as it was sent (still in its transfer encoding).
    public var rawBody: ArraySlice<UInt8>
    public var parts: [MIMEEntity]

    /// The first field named `name` (any case), or nil.
    public func header(_ name: String) -> String? {
        let key = name.lowercased()
        return fields.first { $0.name == key }?.value
    }

    public func headers(_ name: String) -> [String] {
        let key = name.lowercased()
        return fields.filter { $0.name == key }.map(\.value)
    }

    /// `type/subtype` lowercased, `text/plain` when absent or unreadable.
    public var contentType: HeaderValue { HeaderValue(header("content-type") ?? "text/plain") }
    public var mediaType: String {
        let t = contentType.value.lowercased()
        return t.contains("/") ? t : "text/plain"
    }
    public var isMultipart: Bool { mediaType.hasPrefix("multipart/") }
    public var disposition: HeaderValue? { header("content-disposition").map(HeaderValue.init) }

    /// The file name a part carries, from Content-Disposition or Content-Type, encoded words and RFC 2231 decoded.
    public var fileName: String? {
        let raw = disposition?.parameter("filename") ?? contentType.parameter("name")
        return raw.map { EncodedWords.decode($0) }.flatMap { $0.trimmed.isEmpty ? nil : $0 }
    }

    /// The body with its transfer encoding undone.
    public var decodedBody: [UInt8] {
        switch header("content-transfer-encoding")?.trimmed.lowercased() ?? "" {
        case "base64": TransferEncoding.base64(rawBody)
        case "quoted-printable": TransferEncoding.quotedPrintable(rawBody)
        default: Array(rawBody)
        }
    }

    /// The body as text, in the charset its Content-Type names.
    public var text: String { MailCharset.decode(decodedBody, charset: contentType.parameter("charset")) }

    /// Every part that is not a multipart container, depth first.
    public var leaves: [MIMEEntity] { isMultipart && !parts.isEmpty ? parts.flatMap(\.leaves) : [self] }
}

/// Why a message can never be stored: it breaks a limit, so trying again would not help.
public struct MailRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// How big a message may be.
public enum MailLimits {
    /// The whole message: room for a 20 MB file in base64 and its text.
    public static let messageBytes = 30 * 1_048_576
    /// One header block; real ones are a few kilobytes.
    public static let headerBytes = 256 * 1_024
    public static let headerFields = 1_000
    /// How deep multiparts may nest, and how many parts a message may have in all.
    public static let depth = 10
    public static let parts = 200
}

extension MIMEEntity {
    /// Parses a whole message. Throws ``MailRefusal`` when it breaks a limit.
    public static func parse(_ bytes: [UInt8]) throws -> MIMEEntity {
        guard bytes.count <= MailLimits.messageBytes else {
            throw MailRefusal("the message is larger than \(MailLimits.messageBytes / 1_048_576) MB")
        }
        var count = 0
        return try parse(bytes[...], depth: 0, count: &count)
    }

    static func parse(_ bytes: ArraySlice<UInt8>, depth: Int, count: inout Int) throws -> MIMEEntity {
        count += 1
        guard count <= MailLimits.parts else { throw MailRefusal("the message has more than \(MailLimits.parts) parts") }
        let (fields, body) = try splitHeader(bytes)
        var entity = MIMEEntity(fields: fields, rawBody: body, parts: [])
        guard entity.isMultipart, let boundary = entity.contentType.parameter("boundary"), !boundary.isEmpty,
              boundary.utf8.count <= 200
        else { return entity }
        guard depth < MailLimits.depth else { throw MailRefusal("multiparts nest deeper than \(MailLimits.depth)") }
        for part in split(body, boundary: Array(("--" + boundary).utf8)) {
            entity.parts.append(try parse(part, depth: depth + 1, count: &count))
        }
        return entity
    }

    /// The header fields (unfolded) and where the body starts: after the first empty line.
    static func splitHeader(_ bytes: ArraySlice<UInt8>) throws -> ([(name: String, value: String)], ArraySlice<UInt8>) {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var bodyStart = bytes.endIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 0x0A {
                var line = bytes[start..<i]
                if line.last == 0x0D { line = line.dropLast() }
                if line.isEmpty { bodyStart = i + 1; break }
                lines.append(line)
                start = i + 1
                guard start - bytes.startIndex <= MailLimits.headerBytes else {
                    throw MailRefusal("the header is larger than \(MailLimits.headerBytes / 1_024) KB")
                }
            }
            i += 1
        }
        if i == bytes.endIndex {
            guard bytes.count <= MailLimits.headerBytes else {
                throw MailRefusal("the header is larger than \(MailLimits.headerBytes / 1_024) KB")
            }
            if start < bytes.endIndex { lines.append(bytes[start...]) }
        }
        var fields: [(name: String, value: String)] = []
        for line in lines {
            if let first = line.first, first == 0x20 || first == 0x09 {
                guard !fields.isEmpty else { continue }
                fields[fields.count - 1].value += " " + MailCharset.headerText(line).trimmed
                continue
            }
            guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self).trimmed.lowercased()
            guard !name.isEmpty, !name.contains(" ") else { continue }
            fields.append((name, MailCharset.headerText(line[(colon + 1)...]).trimmed))
            guard fields.count <= MailLimits.headerFields else {
                throw MailRefusal("the header has more than \(MailLimits.headerFields) fields")
            }
        }
        return (fields, bodyStart <= bytes.endIndex ? bytes[min(bodyStart, bytes.endIndex)...] : [])
    }

    /// The parts between `--boundary` lines, up to `--boundary--` (or the end, when the closing line is missing).
    static func split(_ body: ArraySlice<UInt8>, boundary: [UInt8]) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var lineStart = body.startIndex
        var i = body.startIndex
        while i <= body.endIndex {
            guard i == body.endIndex || body[i] == 0x0A else { i += 1; continue }
            let line = body[lineStart..<i]
            if line.starts(with: boundary) {
                let rest = line.dropFirst(boundary.count)
                let closing = rest.starts(with: [0x2D, 0x2D])
                if rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) || closing {
                    if let s = partStart {
                        // The line break before the delimiter belongs to the delimiter.
                        var end = lineStart
                        if end > s, body[end - 1] == 0x0A { end -= 1 }
                        if end > s, body[end - 1] == 0x0D { end -= 1 }
                        parts.append(body[s..<max(s, end)])
                    }
                    if closing { return parts }
                    partStart = min(i + 1, body.endIndex)
                }
            }
            lineStart = i + 1
            i += 1
        }
        if let s = partStart, s < body.endIndex { parts.append(body[s...]) }
        return parts
    }
}

/// A structured header's value and its `; key=value` parameters (RFC 2045), with RFC 2231 extended parameters
/// (`name*=charset''text`, and continuations `name*0*=`, `name*1*=`) joined and decoded.
public struct HeaderValue: Sendable {
    public var value: String
    public var parameters: [String: String]

    public init(_ raw: String) {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        for c in raw {
            if c == "\"" { quoted.toggle() }
            if c == ";", !quoted { pieces.append(current); current = ""; continue }
            current.append(c)
        }
        pieces.append(current)
        value = pieces.first?.trimmed ?? ""
        var plain: [String: String] = [:]
        var extended: [String: [(Int, String, Bool)]] = [:]
        for piece in pieces.dropFirst() {
            guard let eq = piece.firstIndex(of: "=") else { continue }
            var key = piece[..<eq].trimmed.lowercased()
            var v = piece[piece.index(after: eq)...].trimmed
            if v.count >= 2, v.hasPrefix("\""), v.hasSuffix("\"") {
                v = String(v.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            guard key.contains("*") else { plain[key] = v; continue }
            let encoded = key.hasSuffix("*")
            if encoded { key.removeLast() }
            var index = 0
            if let star = key.firstIndex(of: "*") {
                index = Int(key[key.index(after: star)...]) ?? 0
                key = String(key[..<star])
            }
            extended[key, default: []].append((index, v, encoded))
        }
        for (key, pieces) in extended {
            var charset: String?
            var bytes: [UInt8] = []
            for (n, (_, text, encoded)) in pieces.sorted(by: { $0.0 < $1.0 }).enumerated() {
                var t = Substring(text)
                if encoded, n == 0 {
                    let bits = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                    if bits.count == 3 { charset = String(bits[0]); t = bits[2] }
                }
                bytes += encoded ? TransferEncoding.percent(t) : Array(t.utf8)
            }
            plain[key] = MailCharset.decode(bytes, charset: charset)
        }
        parameters = plain
    }

    public func parameter(_ name: String) -> String? { parameters[name.lowercased()] }
}

extension Substring {
    var trimmed: String { String(self).trimmed }
}
