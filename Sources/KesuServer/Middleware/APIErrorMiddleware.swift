import Foundation
import HTTPTypes
import KesuCore
import OpenAPIRuntime
import PostgresNIO
import SQLiteNIO
import Vapor

/// Turns every error into Kesu's one JSON shape, `{"error": {"code", "message", "details"}}`, with the status
/// its code calls for. Faults are logged with the request id and answered without internals. A browser asking for
/// a page outside the API that does not exist gets the error page instead.
package struct APIErrorMiddleware: AsyncMiddleware {
    package init() {}

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            var kesuError = Self.classify(error, on: request)
            let status = Self.status(for: kesuError.code)
            if status.code >= 500 {
                // Never the request's headers or body: they carry tokens, cookies and passwords.
                request.logger.error("request failed: \(LogSafe.describe(kesuError.cause ?? error))")
            }
            if !request.url.path.hasPrefix("/api"), request.headers.accept.mediaTypes.contains(.html) {
                let page = try await WebErrorMiddleware.page(for: error, on: request)
                return try await PageSecurityMiddleware().respond(to: request, chainingTo: Fixed(response: page))
            }
            let withHeaders = kesuError
            kesuError.details.removeValue(forKey: Self.allowDetail)
            kesuError.details.removeValue(forKey: Self.retryDetail)
            let response = Self.response(for: kesuError, status: status)
            Self.setHeaders(from: withHeaders, on: response)
            return response
        }
    }

    private struct Fixed: AsyncResponder {
        let response: Response
        func respond(to request: Request) async throws -> Response { response }
    }

    /// The JSON error response for `error`.
    package static func response(for error: KesuError, status: HTTPResponseStatus) -> Response {
        struct Body: Encodable {
            struct Payload: Encodable {
                let code: String
                let message: String
                let details: [String: [String]]?
            }
            let error: Payload
        }
        let body = Body(error: .init(code: error.code.rawValue, message: error.message,
                                     details: error.details.isEmpty ? nil : error.details))
        let response = Response(status: status)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        response.body = .init(data: (try? encoder.encode(body)) ?? Data("{}".utf8))
        response.headers.contentType = .json
        return response
    }

    /// Details that become headers (`Allow`, `Retry-After`) rather than part of the body.
    static let allowDetail = "_allow"
    static let retryDetail = "_retryAfter"

    /// Sets the `Allow` and `Retry-After` headers an error's details call for.
    static func setHeaders(from error: KesuError, on response: Response) {
        if let allow = error.details[allowDetail] {
            response.headers.replaceOrAdd(name: .allow, value: allow.joined(separator: ", "))
        }
        if let retry = error.details[retryDetail]?.first { response.headers.replaceOrAdd(name: .retryAfter, value: retry) }
    }

    /// Maps anything thrown to a ``KesuError``: what the caller got wrong keeps its 4xx meaning, everything else is
    /// a fault whose cause is kept for the log.
    package static func classify(_ error: any Error, on request: Request? = nil) -> KesuError {
        switch error {
        case let e as KesuError:
            return e
        case let e as TooManyAttempts:
            let now = request?.application.kesu.clock.now() ?? Date()
            return KesuError(.tooManyRequests, "Too many failed attempts; try again later.",
                             details: [retryDetail: [String(e.retryAfter(now: now))]])
        case let e as ServerError:
            if let inner = e.underlyingError as? KesuError { return inner }
            if e.httpStatus.code == 415 {
                return KesuError(.unsupportedMediaType, "Send the body as application/json.", cause: e)
            }
            if e.underlyingError is DecodingError || (400..<500).contains(e.httpStatus.code) {
                return KesuError(.invalidInput, "The request could not be read: \(Self.describe(e.underlyingError))",
                                 cause: e)
            }
            var inner = classify(e.underlyingError, on: request)
            if inner.code == .internalError { inner.cause = e }
            return inner
        case let e as DecodingError:
            return KesuError(.invalidInput, "The request could not be read: \(Self.describe(e))", cause: e)
        case is RouteNotFound:
            if let request, let methods = MethodsOnPath.allowed(for: request), !methods.isEmpty {
                return KesuError(.methodNotAllowed, "\(request.method.rawValue) is not allowed here.",
                                 details: [allowDetail: methods])
            }
            return KesuError(.notFound, "Nothing is here.", cause: error)
        case let e as any AbortError:
            let code: KesuError.Code = switch e.status {
            case .unauthorized: .unauthenticated
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .payloadTooLarge: .payloadTooLarge
            case .conflict: .conflict
            case .unsupportedMediaType: .unsupportedMediaType
            case .methodNotAllowed: .methodNotAllowed
            case .tooManyRequests: .tooManyRequests
            case .unprocessableEntity: .unprocessable
            case .badRequest, .lengthRequired, .uriTooLong, .requestHeaderFieldsTooLarge: .invalidInput
            default: .internalError
            }
            return KesuError(code, e.status == .notFound ? "Nothing is here." : e.reason, cause: e)
        case let e where Self.isUniqueViolation(e):
            return KesuError(.conflict, "That already exists.", cause: e)
        case let e where DatabaseOutage.matches(e):
            return KesuError(.unavailable, "The database cannot be reached just now; nothing was changed. Try again shortly.",
                             details: [retryDetail: ["30"]], cause: e)
        default:
            return KesuError(.internalError, "Something went wrong on our side.", cause: error)
        }
    }

    /// A write refused because it would duplicate a unique value: two requests raced for the same name or key.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        if let e = error as? PSQLError { return e.serverInfo?[.sqlState] == "23505" }
        guard let e = error as? SQLiteError else { return false }
        return e.reason == .constraintUniqueFailed || e.reason == .constraintPrimaryKeyFailed
            || (e.reason == .constraint && e.message.contains("UNIQUE"))
    }

    static func status(for code: KesuError.Code) -> HTTPResponseStatus {
        switch code {
        case .invalidInput: .badRequest
        case .missingFields, .unprocessable: .unprocessableEntity
        case .illegalTransition, .conflict: .conflict
        case .notFound: .notFound
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .payloadTooLarge: .payloadTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .methodNotAllowed: .methodNotAllowed
        case .tooManyRequests: .tooManyRequests
        case .unavailable: .serviceUnavailable
        default: .internalServerError
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return String(describing: error).prefix(300).description }
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "body" : p
        }
        switch decoding {
        case .keyNotFound(let key, let context):
            let base = path(context)
            return "\(base == "body" ? "" : base + ".")\(key.stringValue) is missing"
        case .valueNotFound(_, let context): return "\(path(context)) is null"
        case .typeMismatch(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "malformed body"
        }
    }
}
