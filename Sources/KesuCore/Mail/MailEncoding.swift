import CoreFoundation
import Foundation

/// Text in the charsets Chinese mail arrives in: UTF-8, GB2312/GBK/GB18030 (read as GB18030, which contains both),
/// Big5, UTF-16/32 and Latin-1. Bytes that are not valid in the named charset are read as UTF-8 with replacement
/// characters rather than dropped or refused.
public enum MailCharset {
    public static func decode(_ bytes: some Collection<UInt8>, charset: String?) -> String {
        let data = Data(bytes)
        let name = (charset ?? "").trimmed.lowercased().replacingOccurrences(of: "\"", with: "")
        if let encoding = encoding(named: name), let text = String(data: data, encoding: encoding) { return text }
        // An unknown, missing or lying charset: valid UTF-8 wins, then GB18030 (the commonest unlabelled Chinese
        // text), then UTF-8 with replacement characters.
        if let text = String(data: data, encoding: .utf8) { return text }
        if let text = String(data: data, encoding: gb18030) { return text }
        return String(decoding: data, as: UTF8.self)
    }

    /// A header's bytes as text: UTF-8 when valid (RFC 6532), else GB18030 (clients that send raw GBK headers),
    /// else Latin-1, which reads any byte.
    static func headerText(_ bytes: ArraySlice<UInt8>) -> String {
        let data = Data(bytes)
        if let text = String(data: data, encoding: .utf8) { return text }
        if let text = String(data: data, encoding: gb18030) { return text }
        return String(data: data, encoding: .isoLatin1) ?? String(decoding: data, as: UTF8.self)
    }

    static let gb18030 = String.Encoding(rawValue: CFStringConvertEncodingToNSStringEncoding(
        CFStringEncoding(CFStringEncodings.GB_18030_2000.rawValue)))
    static let big5 = String.Encoding(rawValue: CFStringConvertEncodingToNSStringEncoding(
        CFStringEncoding(CFStringEncodings.big5.rawValue)))

    static func encoding(named name: String) -> String.Encoding? {
        switch name {
        case "utf-8", "utf8": .utf8
        case "us-ascii", "ascii": .utf8
        case "gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "windows-936", "csgb2312": gb18030
        case "big5", "big5-hkscs", "x-big5": big5
        case "iso-8859-1", "latin1", "iso8859-1", "windows-1252", "cp1252": .isoLatin1
        case "utf-16": .utf16
        case "utf-16be": .utf16BigEndian
        case "utf-16le": .utf16LittleEndian
        case "utf-32": .utf32
        case "utf-32be": .utf32BigEndian
        case "utf-32le": .utf32LittleEndian
        default: nil
        }
    }
}

/// Content-Transfer-Encoding (RFC 2045), read leniently: stray characters in base64 are skipped, a broken `=XX` in
/// quoted-printable is kept as it stands.
public enum TransferEncoding {
    public static func base64(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for b in bytes {
            let v: UInt8
            switch b {
            case 0x41...0x5A: v = b - 0x41
            case 0x61...0x7A: v = b - 0x61 + 26
            case 0x30...0x39: v = b - 0x30 + 52
            case 0x2B, 0x2D: v = 62
            case 0x2F, 0x5F: v = 63
            case 0x3D: return out
            default: continue
            }
            buffer = (buffer << 6) | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }

    public static func quotedPrintable(_ bytes: some Collection<UInt8>, underscoreIsSpace: Bool = false) -> [UInt8] {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            let b = input[i]
            if b == 0x3D {
                if i + 1 < input.count, input[i + 1] == 0x0A { i += 2; continue }
                if i + 2 < input.count, input[i + 1] == 0x0D, input[i + 2] == 0x0A { i += 3; continue }
                if i + 2 < input.count, let h = hex(input[i + 1]), let l = hex(input[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
            }
            out.append(underscoreIsSpace && b == 0x5F ? 0x20 : b)
            i += 1
        }
        return out
    }

    /// `%XX` escapes (RFC 2231 parameter values).
    static func percent(_ text: Substring) -> [UInt8] {
        let input = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < input.count {
            if input[i] == 0x25, i + 2 < input.count, let h = hex(input[i + 1]), let l = hex(input[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(input[i])
                i += 1
            }
        }
        return out
    }

    static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }

    /// Base64 of `bytes` in lines of 76 characters ending CRLF (RFC 2045).
    public static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Data(bytes).base64EncodedString()
        var lines: [Substring] = []
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[start..<end])
            start = end
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// Encoded words in headers (RFC 2047): `=?charset?B?…?=` and `=?charset?Q?…?=`; white space between two encoded
/// words is dropped, as the RFC says.
public enum EncodedWords {
    public static func decode(_ text: String) -> String {
        guard text.contains("=?") else { return text }
        var out = ""
        var pendingSpace = ""
        var lastWasWord = false
        var rest = Substring(text)
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let (word, after) = word(at: rest) {
                if !lastWasWord { out += pendingSpace }
                pendingSpace = ""
                out += word
                lastWasWord = true
                rest = after
                continue
            }
            let c = rest.removeFirst()
            if c == " " || c == "\t" {
                pendingSpace.append(c)
                continue
            }
            out += pendingSpace
            pendingSpace = ""
            out.append(c)
            lastWasWord = false
        }
        return out + pendingSpace
    }

    /// One encoded word at the start of `text`, decoded, and what follows it.
    static func word(at text: Substring) -> (String, Substring)? {
        let body = text.dropFirst(2)
        guard let q1 = body.firstIndex(of: "?") else { return nil }
        let afterCharset = body[body.index(after: q1)...]
        guard let q2 = afterCharset.firstIndex(of: "?") else { return nil }
        let encoding = afterCharset[..<q2].uppercased()
        let payload = afterCharset[afterCharset.index(after: q2)...]
        guard let end = payload.range(of: "?=") else { return nil }
        let data = payload[..<end.lowerBound]
        guard !data.contains(" "), data.count <= 1_000 else { return nil }
        var charset = String(body[..<q1])
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }
        let bytes: [UInt8]
        switch encoding {
        case "B": bytes = TransferEncoding.base64(data.utf8)
        case "Q": bytes = TransferEncoding.quotedPrintable(data.utf8, underscoreIsSpace: true)
        default: return nil
        }
        return (MailCharset.decode(bytes, charset: charset), payload[end.upperBound...])
    }

    /// `text` as a header value 7-bit safe: itself when it is printable ASCII, else UTF-8 B-encoded words of at
    /// most 75 characters, split between characters, never inside one. Line breaks and other control characters
    /// are removed first, so no value can start a header of its own.
    public static func encode(_ text: String) -> String {
        let clean = String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        guard !clean.unicodeScalars.allSatisfy({ $0.isASCII }) || clean.contains("=?") else { return clean }
        var words: [String] = []
        var chunk: [UInt8] = []
        for c in clean {
            let bytes = Array(String(c).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }
}
