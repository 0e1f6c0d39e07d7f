import KesuCore
import Vapor

/// Refuses request bodies over the configured size before anything reads them.
package struct BodyLimitMiddleware: AsyncMiddleware {
    let maxBytes: Int

    package init(maxBytes: Int) { self.maxBytes = maxBytes }

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let tooLarge = KesuError(.payloadTooLarge, "The request body is larger than \(maxBytes) bytes.")
        if let length = request.headers.first(name: .contentLength).flatMap(Int.init) {
            guard length <= maxBytes else { throw tooLarge }
        } else if request.headers.first(name: .transferEncoding) != nil {
            do {
                _ = try await request.body.collect(max: maxBytes).get()
            } catch let abort as any AbortError where abort.status == .payloadTooLarge {
                throw tooLarge
            }
        }
        return try await next.respond(to: request)
    }
}
