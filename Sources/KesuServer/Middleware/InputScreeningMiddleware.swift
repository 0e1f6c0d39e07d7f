import Foundation
import KesuCore
import MultipartKit
import Vapor

/// Refuses text with control characters (NUL and the like; tab, line feed and carriage return are fine) anywhere a
/// request carries text — the path, the query, JSON, form and multipart fields — and nulls in JSON bodies, with a
/// 400 that names the field, before anything reads or stores it. PostgreSQL cannot store NUL in text and SQLite
/// would; refusing it here keeps both databases alike and keeps invisible characters out of complaints.
struct InputScreeningMiddleware: AsyncMiddleware {
    /// The largest body read to screen it: the routes' own limit, so nothing larger is buffered here first.
    let maxBodyBytes: Int
    /// The same for multipart uploads, whose routes take larger bodies.
    var maxMultipartBytes: Int? = nil

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let field = try await offendingField(request) {
            throw Self.error(field: field, on: request)
        }
        return try await next.respond(to: request)
    }

    private func offendingField(_ request: Request) async throws -> String? {
        let path = request.url.path
        if Self.mayHideControl(Substring(path)), Self.hasControl(path.removingPercentEncoding ?? path) { return "path" }
        if let query = request.url.query, Self.mayHideControl(Substring(query)), let field = Self.formField(query) {
            return field
        }
        guard let type = request.headers.contentType, request.method != .GET, request.method != .HEAD else { return nil }
        let multipart = type.type == "multipart"
        let limit = multipart ? (maxMultipartBytes ?? maxBodyBytes) : maxBodyBytes
        guard let body = try await request.body.collect(max: limit).get(), body.readableBytes > 0 else {
            return nil
        }
        switch (type.type, type.subType) {
        case ("application", _) where type.subType == "json" || type.subType.hasSuffix("+json"):
            let bytes = Array(body.readableBytesView)
            guard Self.jsonNeedsScreening(bytes),
                  let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            else { return nil }
            if let field = Self.jsonField(value, path: "") { return field }
            if let null = Self.jsonNull(value, path: "") { throw Self.nullError(field: null) }
            return nil
        case ("application", "x-www-form-urlencoded"):
            let text = String(buffer: body)
            return Self.mayHideControl(Substring(text)) || Self.hasControl(text) ? Self.formField(text) : nil
        case ("multipart", "form-data"):
            guard let boundary = type.parameters["boundary"], !boundary.isEmpty else { return nil }
            return Self.multipartField(body, boundary: boundary)
        default:
            return nil
        }
    }

    /// The 400 for a field with a control character, in the page reader's language (English for the API).
    static func error(field: String, on request: Request) -> KesuError {
        let language: Language = request.url.path.hasPrefix("/api") ? .en : WebSession.language(request)
        let field = printable(field)
        var error = KesuError.invalid(language.text("control_char", ["field": field]),
                                      fields: [field: ["contains a control character"]])
        error.inReadersLanguage = true
        return error
    }

    /// Whether a character is one Kesu refuses: a control character other than tab, line feed and carriage return.
    static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control && scalar != "\t" && scalar != "\n" && scalar != "\r"
    }

    static func hasControl(_ text: String) -> Bool { text.unicodeScalars.contains(where: isRefused) }

    /// A field name as an answer may repeat it: refused characters shown as U+FFFD, at most 100 characters.
    static func printable(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars.prefix(100) { scalars.append(isRefused(scalar) ? "\u{FFFD}" : scalar) }
        return String(scalars)
    }

    /// Whether percent-encoded text may decode to a control character (`%00`–`%1F`, `%7F`, `%C2%80`–`%C2%9F`).
    static func mayHideControl(_ text: Substring) -> Bool {
        var rest = text[...]
        while let percent = rest.firstIndex(of: "%") {
            let hex = rest[rest.index(after: percent)...].prefix(2).uppercased()
            if hex.hasPrefix("0") || hex.hasPrefix("1") || hex == "7F" || hex == "C2" { return true }
            rest = rest[rest.index(after: percent)...]
        }
        return false
    }

    /// The first field of `name=value&…` text whose name or value holds a refused character.
    static func formField(_ text: String) -> String? {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ s: Substring?) -> String {
                let plus = (s ?? "").replacingOccurrences(of: "+", with: " ")
                return plus.removingPercentEncoding ?? plus
            }
            let name = decoded(parts.first)
            if hasControl(name) { return "field name" }
            if parts.count > 1, hasControl(decoded(parts[1])) { return name }
        }
        return nil
    }

    /// Whether JSON bytes may hold a control character (an escape `\u00XX`, DEL, or a raw C1 character) or a null.
    static func jsonNeedsScreening(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "n"), i + 3 < bytes.count, bytes[i + 1] == UInt8(ascii: "u"),
               bytes[i + 2] == UInt8(ascii: "l"), bytes[i + 3] == UInt8(ascii: "l") { return true }
            if b == 0x7F || (b == 0xC2 && i + 1 < bytes.count && (0x80...0x9F).contains(bytes[i + 1])) { return true }
            if b == UInt8(ascii: "\\"), i + 3 < bytes.count, bytes[i + 1] == UInt8(ascii: "u"),
               bytes[i + 2] == UInt8(ascii: "0"), bytes[i + 3] == UInt8(ascii: "0") { return true }
            i += 1
        }
        return false
    }

    /// The dotted path (`customer.name`, `waybillNumbers.0`) of the first JSON string or key holding a refused
    /// character.
    static func jsonField(_ value: Any, path: String) -> String? {
        firstPath(in: value, path: path, key: hasControl) { ($0 as? String).map(hasControl) ?? false }
    }

    /// The dotted path of the first `null` in a JSON body: the API has no nullable fields (leave a field out
    /// instead), and the decoder would otherwise take a null for a missing value.
    static func jsonNull(_ value: Any, path: String) -> String? {
        firstPath(in: value, path: path, key: { _ in false }) { $0 is NSNull }
    }

    /// The path of the first leaf of a JSON value that `leaf` picks, or `path.key` for the first key `key` picks.
    private static func firstPath(in value: Any, path: String, key: (String) -> Bool, leaf: (Any) -> Bool)
        -> String?
    {
        func join(_ name: String) -> String { path.isEmpty ? name : path + "." + name }
        switch value {
        case let object as [String: Any]:
            for name in object.keys.sorted() {
                if key(name) { return join("key") }
                if let found = firstPath(in: object[name] as Any, path: join(name), key: key, leaf: leaf) {
                    return found
                }
            }
            return nil
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = firstPath(in: element, path: join(String(index)), key: key, leaf: leaf) {
                    return found
                }
            }
            return nil
        default:
            return leaf(value) ? (path.isEmpty ? "body" : path) : nil
        }
    }

    static func nullError(field: String) -> KesuError {
        let field = printable(field)
        return KesuError.invalid("\(field) is null; leave it out instead.", fields: [field: ["null"]])
    }

    /// The name of the first multipart text field (a part without a file name) holding a refused character.
    static func multipartField(_ body: ByteBuffer, boundary: String) -> String? {
        let parser = MultipartParser(boundary: boundary)
        var disposition = ""
        var text: [UInt8] = []
        var found: String?
        parser.onHeader = { name, value in
            if name.lowercased() == "content-disposition" { disposition = value }
        }
        parser.onBody = { chunk in
            if !disposition.contains("filename=") { text += chunk.readableBytesView }
        }
        parser.onPartComplete = {
            if found == nil, !disposition.contains("filename="), hasControl(String(decoding: text, as: UTF8.self)) {
                found = Self.partName(disposition) ?? "field"
            }
            disposition = ""
            text = []
        }
        do { try parser.execute(body) } catch { return nil }
        return found
    }

    private static func partName(_ disposition: String) -> String? {
        guard let range = disposition.range(of: "name=\"") else { return nil }
        return String(disposition[range.upperBound...].prefix { $0 != "\"" })
    }
}
