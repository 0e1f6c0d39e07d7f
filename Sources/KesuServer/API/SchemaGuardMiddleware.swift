import Foundation
import HTTPTypes
import KesuCore
import OpenAPIRuntime

/// Answers 400, naming each field, for a request that breaks a limit of its operation's schema (``SchemaLimits``)
/// — before the handler decodes it, so no use case sees it and nothing changes.
struct SchemaGuardMiddleware: ServerMiddleware {
    let limits: SchemaLimits
    let maxBytes: Int

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let operation = limits.operations[operationID] else { return try await next(request, body, metadata) }
        var problems = ValidationProblems()
        Self.checkParameters(of: operation, in: request, into: &problems)
        var forwarded = body
        if let rule = operation.body, let body, request.headerFields[.contentType]?.lowercased().contains("json") == true {
            let bytes = try await [UInt8](collecting: body, upTo: maxBytes)
            forwarded = HTTPBody(bytes)
            if let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) {
                rule.check(value, at: "", into: &problems)
            }
        }
        try problems.throwIfAny("The request breaks its schema")
        return try await next(request, forwarded, metadata)
    }

    static func checkParameters(of operation: SchemaLimits.Operation, in request: HTTPRequest,
                                into problems: inout ValidationProblems) {
        let full = request.path ?? ""
        let pathPart = full.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let query = full.contains("?") ? Self.query(String(full[full.index(after: full.firstIndex(of: "?")!)...])) : [:]
        // The template is the path after the server URL, so the request's last segments line up with it.
        let segments = pathPart.split(separator: "/").map(String.init).suffix(operation.template.count)
        var pathValues: [String: String] = [:]
        for (template, actual) in zip(operation.template, segments) where template.hasPrefix("{") {
            pathValues[String(template.dropFirst().dropLast())] = actual.removingPercentEncoding ?? actual
        }
        for parameter in operation.parameters {
            let values: [String]
            switch parameter.place {
            case .query: values = query[parameter.name] ?? []
            case .path: values = pathValues[parameter.name].map { [$0] } ?? []
            case .header:
                values = HTTPField.Name(parameter.name).map { request.headerFields[values: $0] } ?? []
            }
            for value in values { parameter.rule.check(parameter: value, at: parameter.name, into: &problems) }
        }
    }

    /// `a=1&b=x%20y` as names to values, decoded as a form (`+` is a space).
    static func query(_ text: String) -> [String: [String]] {
        var values: [String: [String]] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            values[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        return values
    }
}
