/// An error a user can cause, or a fault, with a stable code, a message for people, and details for programs.
///
/// Errors a user causes (bad input, an illegal transition, a missing permission) change nothing; the server maps
/// ``Code`` to an HTTP status and renders `{"error": {"code", "message", "details"}}`.
public struct KesuError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; extensible, so new codes do not break callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidInput = Code("invalid_input")
        public static let missingFields = Code("missing_fields")
        /// The input fits the API's schema but a business rule refuses it (422).
        public static let unprocessable = Code("unprocessable")
        public static let illegalTransition = Code("illegal_transition")
        public static let conflict = Code("conflict")
        public static let notFound = Code("not_found")
        public static let unauthenticated = Code("unauthenticated")
        public static let forbidden = Code("forbidden")
        public static let payloadTooLarge = Code("payload_too_large")
        public static let unsupportedMediaType = Code("unsupported_media_type")
        public static let methodNotAllowed = Code("method_not_allowed")
        public static let tooManyRequests = Code("too_many_requests")
        public static let internalError = Code("internal_error")
    }

    public var code: Code
    public var message: String
    /// Machine-readable specifics: the fields that failed, the allowed transitions, …
    public var details: [String: [String]]
    /// The underlying error, for logs; never shown to users.
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, details: [String: [String]] = [:], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" }

    public static func invalid(_ message: String, fields: [String: [String]] = [:]) -> KesuError {
        KesuError(.invalidInput, message, details: fields)
    }
    /// Input of the right shape that a business rule refuses: a time that must be in the future, a code that
    /// names nothing, text that is only spaces.
    public static func refused(_ message: String, fields: [String: [String]] = [:]) -> KesuError {
        KesuError(.unprocessable, message, details: fields)
    }
    public static func notFound(_ message: String) -> KesuError { KesuError(.notFound, message) }
    public static func forbidden(_ message: String) -> KesuError { KesuError(.forbidden, message) }
    public static func conflict(_ message: String) -> KesuError { KesuError(.conflict, message) }
}

/// Collects every problem with a piece of input, so one answer names them all.
public struct ValidationProblems: Sendable {
    public private(set) var fields: [String: [String]] = [:]
    public init() {}
    public mutating func add(_ field: String, _ problem: String) { fields[field, default: []].append(problem) }
    public var isEmpty: Bool { fields.isEmpty }
    /// Throws ``KesuError/Code/invalidInput`` naming every field when there is any problem.
    public func throwIfAny(_ summary: String = "The request has invalid fields.") throws {
        guard !fields.isEmpty else { return }
        let names = fields.keys.sorted().joined(separator: ", ")
        throw KesuError(.invalidInput, "\(summary) (\(names))", details: fields)
    }
}
