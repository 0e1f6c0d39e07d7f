import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// The staff pages' session: an API token in an HttpOnly cookie, with a CSRF token derived from it for forms,
/// and the chosen language in a second cookie.
package enum WebSession {
    static let cookie = "kesu_session"
    static let languageCookie = "kesu_lang"

    /// The cookie that carries a session token.
    static func cookie(for token: String, expires: Date, on req: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(string: token, expires: expires, path: "/", isSecure: isSecure(req), isHTTPOnly: true,
                          sameSite: .lax)
    }

    /// Behind TLS (directly or through a proxy that says so) cookies are marked Secure.
    static func isSecure(_ req: Request) -> Bool {
        req.url.scheme == "https" || req.headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https"
    }

    /// The form token for a session: HMAC of the session token, so it needs no storage and dies with the session.
    static func csrfToken(for sessionToken: String) -> String {
        let key = SymmetricKey(data: Data(sessionToken.utf8))
        return hex(HMAC<SHA256>.authenticationCode(for: Data("kesu-csrf".utf8), using: key))
    }

    /// Refuses a form post whose `_csrf` field does not match the session.
    static func checkCSRF(_ req: Request) throws {
        struct Form: Decodable { var _csrf: String? }
        guard let session = req.cookies[cookie]?.string,
              let sent = try? req.content.decode(Form.self)._csrf,
              sent == csrfToken(for: session)
        else { throw KesuError.forbidden("The form expired or did not come from Kesu; reload the page and try again.") }
    }

    static func language(_ req: Request) -> Language {
        if let chosen = req.cookies[languageCookie]?.string, let language = Language(rawValue: chosen) { return language }
        return .zh
    }
}

/// How many notifications the logged-in user has not read, for the page header.
enum UnreadNotifications: StorageKey {
    typealias Value = Int
}

/// The logged-in user, kept on the request so an error page (rendered outside ``RequestContext``) keeps the menu.
enum SignedInActor: StorageKey {
    typealias Value = Actor
}

/// Runs staff pages with the logged-in actor in ``RequestContext``; sends visitors without a session to /login.
package struct WebAuthMiddleware: AsyncMiddleware {
    package init() {}

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        var actor: Actor?
        if let token = request.cookies[WebSession.cookie]?.string {
            // Only a token the database does not know sends the visitor to log in; a database that cannot be
            // reached is an outage (503), not a logged-out session.
            do {
                actor = try await AuthService(app: request.application).authenticate(bearer: token, on: request.db)
            } catch let error as KesuError where error.code == .unauthenticated {
                actor = nil
            }
        }
        guard let actor else {
            return request.redirect(to: "/login?next=" + Pages.queryValue(request.url.path + (request.url.query.map { "?" + $0 } ?? "")))
        }
        request.storage[SignedInActor.self] = actor
        // The bell in the header: one count on the partial index of unread notifications.
        if request.method == .GET {
            request.storage[UnreadNotifications.self] = try await NotificationStore.unreadCount(userID: actor.userID,
                                                                                                on: request.db)
        }
        return try await RequestContext.$request.withValue(request) {
            try await RequestContext.$actor.withValue(actor) {
                try await next.respond(to: request)
            }
        }
    }
}

/// Security headers for every page: no inline scripts, no framing, no content sniffing.
package struct PageSecurityMiddleware: AsyncMiddleware {
    package init() {}

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(
            name: "Content-Security-Policy",
            value: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        return response
    }
}
