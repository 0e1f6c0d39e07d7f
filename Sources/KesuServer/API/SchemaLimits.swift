import Foundation
import KesuCore
import Yams

/// The limits the OpenAPI document puts on what a request may carry — lengths, counts, ranges and patterns of
/// strings, arrays and numbers, in bodies, queries, paths and headers — read from the document once at start-up.
///
/// The generated handlers check types, enums, required and unknown properties, but none of these limits, and the
/// use cases trim text and drop blanks before they count. ``SchemaGuardMiddleware`` holds each request to the
/// document as it was sent, so a request that breaks its schema is a 400 that names the field, whatever the use
/// case would have made of it. Control characters (the pattern on every string) are refused earlier, by
/// ``InputScreeningMiddleware``.
struct SchemaLimits: Sendable {
    /// What one schema allows; nil where it says nothing.
    final class Rule: Sendable {
        let minLength: Int?, maxLength: Int?
        let pattern: Pattern?
        let minItems: Int?, maxItems: Int?
        let minimum: Double?, maximum: Double?
        let items: Rule?
        let properties: [String: Rule]

        init(minLength: Int?, maxLength: Int?, pattern: Pattern?, minItems: Int?, maxItems: Int?, minimum: Double?,
             maximum: Double?, items: Rule?, properties: [String: Rule]) {
            self.minLength = minLength
            self.maxLength = maxLength
            self.pattern = pattern
            self.minItems = minItems
            self.maxItems = maxItems
            self.minimum = minimum
            self.maximum = maximum
            self.items = items
            self.properties = properties
        }
    }

    /// A string pattern, anchored as JSON Schema means it (`$` is the end of the text, not before a final newline).
    struct Pattern: Sendable {
        let name: String
        let regex: NSRegularExpression

        func matches(_ text: String) -> Bool {
            let whole = NSRange(text.startIndex..., in: text)
            guard let match = regex.firstMatch(in: text, range: whole) else { return false }
            return regex.pattern.hasPrefix("^") && regex.pattern.hasSuffix("$") ? match.range == whole : true
        }
    }

    struct Parameter: Sendable {
        enum Place: String, Sendable { case query, path, header }
        let name: String
        let place: Place
        let rule: Rule
    }

    struct Operation: Sendable {
        /// The path's segments after the server URL, `{name}` for a parameter.
        let template: [String]
        let parameters: [Parameter]
        let body: Rule?
    }

    let operations: [String: Operation]

    /// Reads the limits of every operation in `document` (YAML).
    init(document: Data) throws {
        guard let text = String(data: document, encoding: .utf8),
              let root = try Yams.load(yaml: text) as? [String: Any] else {
            throw KesuError(.internalError, "The OpenAPI document could not be read.")
        }
        var reader = Reader(root: root)
        var operations: [String: Operation] = [:]
        for (path, item) in root["paths"] as? [String: Any] ?? [:] {
            guard let item = item as? [String: Any] else { continue }
            let shared = item["parameters"] as? [Any] ?? []
            for method in ["get", "put", "post", "delete", "patch"] {
                guard let operation = item[method] as? [String: Any], let id = operation["operationId"] as? String
                else { continue }
                var parameters: [String: Parameter] = [:]
                for raw in shared + (operation["parameters"] as? [Any] ?? []) {
                    guard let p = reader.resolve(raw), let name = p["name"] as? String,
                          let place = (p["in"] as? String).flatMap(Parameter.Place.init), let schema = p["schema"]
                    else { continue }
                    parameters[name] = Parameter(name: name, place: place, rule: try reader.rule(schema))
                }
                let content = reader.resolve(operation["requestBody"])?["content"] as? [String: Any]
                let body = try (content?["application/json"] as? [String: Any])?["schema"].map { try reader.rule($0) }
                operations[id] = Operation(template: path.split(separator: "/").map(String.init),
                                           parameters: Array(parameters.values), body: body)
            }
        }
        self.operations = operations
    }

    /// Follows `$ref`s within the document and turns schemas into rules, each named schema once.
    private struct Reader {
        let root: [String: Any]
        let patternNames: [String: String]
        var named: [String: Rule] = [:]

        init(root: [String: Any]) {
            self.root = root
            var names: [String: String] = [:]
            for (key, value) in root["info"] as? [String: Any] ?? [:] {
                if let pattern = value as? String, key.hasPrefix("x-"), key.hasSuffix("-pattern") {
                    names[pattern] = String(key.dropFirst(2).dropLast(8))
                }
            }
            patternNames = names
        }

        func resolve(_ value: Any?) -> [String: Any]? {
            guard var object = value as? [String: Any] else { return nil }
            var hops = 0
            while let ref = object["$ref"] as? String, ref.hasPrefix("#/"), hops < 16 {
                var node: Any? = root
                for key in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(key)] }
                guard let next = node as? [String: Any] else { return nil }
                object = next
                hops += 1
            }
            return object
        }

        mutating func rule(_ value: Any) throws -> Rule {
            let ref = (value as? [String: Any])?["$ref"] as? String
            if let ref, let known = named[ref] { return known }
            guard let schema = resolve(value) else { return Rule.none }
            var properties: [String: Rule] = [:]
            for (name, sub) in schema["properties"] as? [String: Any] ?? [:] { properties[name] = try rule(sub) }
            var pattern: Pattern?
            // The text pattern is every string's and InputScreeningMiddleware already holds requests to it.
            if let source = schema["pattern"] as? String, let name = patternNames[source], name != "text" {
                pattern = Pattern(name: name, regex: try NSRegularExpression(pattern: source))
            } else if let source = schema["pattern"] as? String, patternNames[source] == nil {
                pattern = Pattern(name: "pattern", regex: try NSRegularExpression(pattern: source))
            }
            let made = Rule(
                minLength: schema["minLength"] as? Int, maxLength: schema["maxLength"] as? Int, pattern: pattern,
                minItems: schema["minItems"] as? Int, maxItems: schema["maxItems"] as? Int,
                minimum: Self.number(schema["minimum"]), maximum: Self.number(schema["maximum"]),
                items: try schema["items"].map { try rule($0) }, properties: properties)
            if let ref { named[ref] = made }
            return made
        }

        static func number(_ value: Any?) -> Double? {
            switch value {
            case let i as Int: Double(i)
            case let d as Double: d
            default: nil
            }
        }
    }
}

extension SchemaLimits.Rule {
    static let none = SchemaLimits.Rule(minLength: nil, maxLength: nil, pattern: nil, minItems: nil, maxItems: nil,
                                        minimum: nil, maximum: nil, items: nil, properties: [:])

    /// Adds to `problems` what `value` (as JSONSerialization reads it) breaks, naming fields `a.b.3.c`. Values of
    /// the wrong type are left to the generated decoder, which refuses them.
    func check(_ value: Any, at field: String, into problems: inout ValidationProblems) {
        switch value {
        case let text as String:
            check(text: text, at: field, into: &problems)
        case let array as [Any]:
            if let maxItems, array.count > maxItems { problems.add(field, "at most \(maxItems) items") }
            if let minItems, array.count < minItems { problems.add(field, "at least \(minItems) items") }
            if let items {
                for (i, element) in array.enumerated() { items.check(element, at: "\(field).\(i)", into: &problems) }
            }
        case let object as [String: Any]:
            for (name, rule) in properties {
                if let sub = object[name] { rule.check(sub, at: field.isEmpty ? name : "\(field).\(name)", into: &problems) }
            }
        case let number as NSNumber:
            check(number: number.doubleValue, at: field, into: &problems)
        default:
            break
        }
    }

    func check(text: String, at field: String, into problems: inout ValidationProblems) {
        let length = text.unicodeScalars.count
        if let maxLength, length > maxLength { problems.add(field, "at most \(maxLength) characters") }
        if let minLength, length < minLength { problems.add(field, "at least \(minLength) characters") }
        if let pattern, !pattern.matches(text) { problems.add(field, "does not have the form of a \(pattern.name)") }
    }

    func check(number: Double, at field: String, into problems: inout ValidationProblems) {
        if let maximum, number > maximum { problems.add(field, "at most \(Self.show(maximum))") }
        if let minimum, number < minimum { problems.add(field, "at least \(Self.show(minimum))") }
    }

    /// A text parameter (query, path, header): its length and pattern, or its range when the schema has one.
    func check(parameter text: String, at field: String, into problems: inout ValidationProblems) {
        if minimum != nil || maximum != nil {
            if let number = Double(text) { check(number: number, at: field, into: &problems) }
        } else {
            check(text: text, at: field, into: &problems)
        }
    }

    private static func show(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
