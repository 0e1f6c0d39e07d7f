import Foundation
import KesuCore
import OpenAPIRuntime

/// What may be written to the log about a failure: the operation, the cause and the underlying error — never the
/// request's headers or body, which carry bearer tokens, session cookies, form tokens and passwords.
enum LogSafe {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let e as ServerError:
            // ServerError's own description prints the whole request, Authorization header included.
            "operation \(e.operationID): \(e.causeDescription); underlying: \(describe(e.underlyingError))"
        case let e as KesuError:
            "\(e.code): \(e.message)" + (e.cause.map { "; cause: " + describe($0) } ?? "")
        default:
            String(reflecting: error)
        }
    }
}

extension LogSafe {
    /// A request's path for the log, with the customer's private link token (`/t/<token>`) left out.
    static func path(_ path: String) -> String {
        guard path.hasPrefix("/t/") else { return path }
        let rest = path.dropFirst(3)
        guard let slash = rest.firstIndex(of: "/") else { return "/t/…" }
        return "/t/…" + rest[slash...]
    }
}
