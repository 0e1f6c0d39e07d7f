import Foundation
import HTTPTypes
import KesuCore
import OpenAPIRuntime
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
            let kesuError = Self.classify(error)
            let status = Self.status(for: kesuError.code)
            if status == .internalServerError {
                request.logger.error("request failed: \(String(reflecting: kesuError.cause ?? error))")
            }
            if !request.url.path.hasPrefix("/api"), request.headers.accept.mediaTypes.contains(.html) {
                let page = try await WebErrorMiddleware.page(for: error, on: request)
                return try await PageSecurityMiddleware().respond(to: request, chainingTo: Fixed(response: page))
            }
            return Self.response(for: kesuError, status: status)
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

    /// Maps anything thrown to a ``KesuError``.
    package static func classify(_ error: any Error) -> KesuError {
        switch error {
        case let e as KesuError:
            return e
        case let e as ServerError:
            if let inner = e.underlyingError as? KesuError { return inner }
            if e.underlyingError is DecodingError || e.httpStatus.code == 400 {
                return KesuError(.invalidInput, "The request could not be read: \(Self.describe(e.underlyingError))",
                                 cause: e)
            }
            if let abort = e.underlyingError as? any AbortError { return classify(abort) }
            return KesuError(.internalError, "Something went wrong on our side.", cause: e)
        case let e as DecodingError:
            return KesuError(.invalidInput, "The request could not be read: \(Self.describe(e))", cause: e)
        case let e as any AbortError:
            let code: KesuError.Code = switch e.status {
            case .unauthorized: .unauthenticated
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .payloadTooLarge: .payloadTooLarge
            case .conflict: .conflict
            case .badRequest, .unprocessableEntity, .methodNotAllowed: .invalidInput
            default: .internalError
            }
            return KesuError(code, e.status == .notFound ? "Nothing is here." : e.reason, cause: e)
        default:
            return KesuError(.internalError, "Something went wrong on our side.", cause: error)
        }
    }

    static func status(for code: KesuError.Code) -> HTTPResponseStatus {
        switch code {
        case .invalidInput: .badRequest
        case .missingFields: .unprocessableEntity
        case .illegalTransition, .conflict: .conflict
        case .notFound: .notFound
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .payloadTooLarge: .payloadTooLarge
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
