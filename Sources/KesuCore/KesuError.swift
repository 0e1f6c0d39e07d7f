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
        /// The database (or another service Kesu needs) cannot be reached just now (503); nothing was changed.
        public static let unavailable = Code("unavailable")
        public static let internalError = Code("internal_error")
    }

    public var code: Code
    public var message: String
    /// Machine-readable specifics: the fields that failed, the allowed transitions, …
    public var details: [String: [String]]
    /// The underlying error, for logs; never shown to users.
    public var cause: (any Error)?
    /// Whether `message` is already in the language of the person who will read it (pages show it as it is);
    /// otherwise it is English, for programs and English readers.
    public var inReadersLanguage = false

    public init(_ code: Code, _ message: String, details: [String: [String]] = [:], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" }

    /// Whether the input was refused, for its shape (400) or by a rule (422): a form shows it beside its fields.
    public var isBadInput: Bool { code == .invalidInput || code == .unprocessable || code == .missingFields }

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
///
/// A problem is either with the input's shape — a length, a format, what the API's schema states — or with a
/// business rule the schema cannot state (text that is only spaces, a time that must be in the future, a code that
/// names nothing). Shape problems answer 400; an input whose only problems are rules answers 422.
public struct ValidationProblems: Sendable {
    public private(set) var fields: [String: [String]] = [:]
    private var refusedOnly = true
    public init() {}
    /// A problem with the input's shape.
    public mutating func add(_ field: String, _ problem: String) {
        fields[field, default: []].append(problem)
        refusedOnly = false
    }
    /// A business rule the input breaks although its shape is right.
    public mutating func refuse(_ field: String, _ problem: String) { fields[field, default: []].append(problem) }
    public var isEmpty: Bool { fields.isEmpty }
    /// Throws naming every field when there is any problem: ``KesuError/Code/invalidInput`` when any is a shape
    /// problem, ``KesuError/Code/unprocessable`` when all are rules.
    public func throwIfAny(_ summary: String = "The request has invalid fields.") throws {
        guard !fields.isEmpty else { return }
        let names = fields.keys.sorted().joined(separator: ", ")
        throw KesuError(refusedOnly ? .unprocessable : .invalidInput, "\(summary) (\(names))", details: fields)
    }
}

extension String {
    /// The length as the API's schema counts it: in Unicode code points, not the grapheme clusters `count` gives.
    public var length: Int { unicodeScalars.count }
}
