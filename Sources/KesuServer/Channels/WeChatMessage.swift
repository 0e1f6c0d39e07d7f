import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A message or event WeChat pushes: the flat `<xml>` of named fields it sends, every value usually in CDATA.
/// Read safely (the 2018 WeChat Pay XXE advisory): at most 64 KB, and any document declaring a DTD or an entity is
/// refused before a parser sees it.
package struct WeChatMessage: Sendable, Equatable {
    package var fields: [String: String]

    package static let maxBytes = 64 * 1_024

    package struct Refusal: Error, Equatable { package var reason: String }

    package subscript(_ name: String) -> String? { fields[name] }

    package static func parse(_ bytes: [UInt8]) throws -> WeChatMessage {
        guard bytes.count <= maxBytes else { throw Refusal(reason: "larger than 64 KB") }
        let text = String(decoding: bytes, as: UTF8.self)
        let upper = text.uppercased()
        guard !upper.contains("<!DOCTYPE"), !upper.contains("<!ENTITY") else {
            throw Refusal(reason: "a DTD or entity declaration")
        }
        let reader = Reader()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse(), reader.root == "xml" else { throw Refusal(reason: "not WeChat's XML") }
        return WeChatMessage(fields: reader.fields)
    }

    /// The fields directly under `<xml>` (nested ones by their own name, the first of each).
    final class Reader: NSObject, XMLParserDelegate {
        var root: String?
        var fields: [String: String] = [:]
        var path: [String] = []
        var text = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if root == nil { root = name }
            path.append(name)
            text = ""
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
        func parser(_ parser: XMLParser, foundCDATA block: Data) { text += String(decoding: block, as: UTF8.self) }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if path.count >= 2, fields[name] == nil { fields[name] = text.trimmingCharacters(in: .whitespacesAndNewlines) }
            path.removeLast()
            text = ""
        }
    }

    /// What WeChat retries carry the same of: `MsgId`, or for events the sender and the time.
    package var deduplicationKey: String? {
        if let id = fields["MsgId"], !id.isEmpty { return "msg:" + id }
        guard let from = fields["FromUserName"], let at = fields["CreateTime"] else { return nil }
        return "event:" + from + ":" + at + ":" + (fields["Event"] ?? "")
    }
}
