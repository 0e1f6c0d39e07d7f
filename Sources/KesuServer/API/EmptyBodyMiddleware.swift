import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Hands the generated handlers no body when the request sent none, so an operation whose body is optional runs
/// without one instead of failing to read "" as JSON (the Vapor transport passes an empty body).
struct EmptyBodyMiddleware: ServerMiddleware {
    let maxBytes: Int

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let body else { return try await next(request, nil, metadata) }
        switch body.length {
        case .known(0): return try await next(request, nil, metadata)
        case .known: return try await next(request, body, metadata)
        case .unknown: break
        }
        let bytes = try await [UInt8](collecting: body, upTo: maxBytes)
        return try await next(request, bytes.isEmpty ? nil : HTTPBody(bytes), metadata)
    }
}
