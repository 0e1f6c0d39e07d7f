import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 登录 — log in and out of the staff pages, and switch language.
struct LoginController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("login", use: page)
        routes.post("login", use: login)
        routes.get("lang", ":code", use: switchLanguage)
        routes.grouped(WebAuthMiddleware()).post("logout", use: logout)
    }

    @Sendable func page(req: Request) async throws -> View {
        try await render(req, next: Self.safeNext(try? req.query.get(String.self, at: "next")), error: nil, username: "")
    }

    @Sendable func login(req: Request) async throws -> Response {
        struct Form: Decodable {
            var username: String?
            var password: String?
            var next: String?
        }
        let form = try req.content.decode(Form.self)
        let username = (form.username ?? "").trimmed
        let next = Self.safeNext(form.next)
        let t = WebSession.language(req).strings
        let auth = AuthService(app: req.application)
        let user: UserModel
        do {
            user = try await auth.login(username: username, password: form.password ?? "", source: req.sourceAddress,
                                        on: req.db)
        } catch let locked as TooManyAttempts {
            let response = try await render(req, next: next, error: t["too_many"], username: username)
                .encodeResponse(status: .tooManyRequests, for: req)
            response.headers.replaceOrAdd(name: .retryAfter,
                                          value: String(locked.retryAfter(now: req.application.kesu.clock.now())))
            return response
        } catch let error as KesuError where error.code == .unauthenticated {
            return try await render(req, next: next, error: t["wrong_login"], username: username)
                .encodeResponse(status: .unauthorized, for: req)
        }
        let (token, expires) = try await auth.issueToken(for: user, on: req.db)
        // Outlet staff start their day on the outlet's home page unless they were on their way somewhere.
        let landing = next == "/complaints" && user.role == Role.outlet.rawValue ? "/outlet" : next
        let response = req.redirect(to: landing, redirectType: .normal)
        response.cookies[WebSession.cookie] = WebSession.cookie(for: token, expires: expires, on: req)
        return response
    }

    @Sendable func logout(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        if let tokenID = actor.tokenID { _ = try await AuthService(app: req.application).revoke(tokenID: tokenID, on: req.db) }
        let response = req.redirect(to: "/login")
        response.cookies[WebSession.cookie] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0),
                                                                 path: "/", isHTTPOnly: true, sameSite: .lax)
        return response
    }

    @Sendable func switchLanguage(req: Request) async throws -> Response {
        let language = Language(rawValue: req.parameters.get("code") ?? "") ?? .zh
        let back = Self.safeNext(try? req.query.get(String.self, at: "next"))
        let response = req.redirect(to: back)
        response.cookies[WebSession.languageCookie] = HTTPCookies.Value(
            string: language.rawValue, expires: Date().addingTimeInterval(365 * 86_400), path: "/",
            isSecure: WebSession.isSecure(req), isHTTPOnly: true, sameSite: .lax)
        return response
    }

    private func render(_ req: Request, next: String, error: String?, username: String) async throws -> View {
        let chrome = Pages.chrome(req, title: WebSession.language(req).strings["login"] ?? "", actor: nil)
        return try await req.view.render("auth/login", LoginPage(chrome: chrome, next: next, error: error, username: username))
    }

    /// Only a path on this site may be the place to go back to.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), next.count < 500 else {
            return "/complaints"
        }
        return next
    }
}

/// What the staff pages share.
enum Pages {
    static func chrome(_ req: Request, title: String, actor: Actor?) -> PageChrome {
        let language = WebSession.language(req)
        let csrf = (req.cookies[WebSession.cookie]?.string).map(WebSession.csrfToken(for:))
        // Switching language comes back to this page when it can be asked for again (a GET).
        let here = req.method == .GET ? req.url.path + (req.url.query.map { "?" + $0 } ?? "") : "/complaints"
        return PageChrome(title: title, t: PageWords(language: language), lang: language.rawValue,
                          otherLang: language.other.rawValue, user: actor?.displayName,
                          csrf: actor == nil ? nil : csrf, admin: actor?.may(.manageUsers) ?? false,
                          reports: actor?.may(.viewReports) ?? false, parcels: actor?.may(.viewProblemParcels) ?? false,
                          fines: actor?.may(.viewFines) ?? false, outletHome: actor?.role == .outlet,
                          unread: req.storage[UnreadNotifications.self] ?? 0, here: queryValue(here))
    }

    /// `path` (which may carry a query and a `#fragment`) with the flash message `key` to show once it loads.
    static func withFlash(_ path: String, _ key: String, count: Int? = nil, status: ComplaintStatus? = nil) -> String {
        let (base, fragment) = path.firstIndex(of: "#").map { (String(path[..<$0]), String(path[$0...])) } ?? (path, "")
        let flash = "done=" + key + (count.map { "&n=\($0)" } ?? "") + (status.map { "&to=" + $0.rawValue } ?? "")
        return base + (base.contains("?") ? "&" : "?") + flash + fragment
    }

    /// The flash message the page was asked to show (`?done=`), in the reader's language; nil for none or an
    /// unknown one.
    static func flash(_ req: Request, language: Language) -> String? {
        guard let key = req.query[String.self, at: "done"], key.count < 40,
              key.allSatisfy({ $0 == "_" || ("a"..."z").contains($0) }),
              language.strings["flash." + key] != nil else { return nil }
        let n = req.query[Int.self, at: "n"].map { String(min(max($0, 0), 1_000)) } ?? ""
        let status = req.query[String.self, at: "to"].flatMap(ComplaintStatus.init(rawValue:)).map(language.name(of:))
        return language.text("flash." + key, ["n": n, "status": status ?? ""])
    }

    /// `text` as one value of a query string (`&`, `=`, `?`, `#`, `+` and the rest encoded).
    static func queryValue(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "/-_.~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "/"
    }
}

/// Renders errors on staff pages as pages, in the user's language, with the status they call for.
struct WebErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return try await Self.page(for: error, on: request)
        }
    }

    /// The error page for `error`, in the request's language.
    static func page(for error: any Error, on request: Request) async throws -> Response {
        let kesuError = APIErrorMiddleware.classify(error, on: request)
        let status = APIErrorMiddleware.status(for: kesuError.code)
        if status.code >= 500 {
            request.logger.error("page failed: \(LogSafe.describe(kesuError.cause ?? error))")
        }
        let language = WebSession.language(request)
        let t = language.strings
        let heading = switch status {
        case .forbidden: t["forbidden"] ?? ""
        case .notFound: t["not_found"] ?? ""
        case .serviceUnavailable: t["unavailable"] ?? ""
        default: t["error"] ?? ""
        }
        let message = status == .forbidden && kesuError.code == .forbidden && kesuError.message.contains("another unit")
            ? (t["forbidden_text"] ?? "")
            : status == .serviceUnavailable ? (t["unavailable_text"] ?? "")
            : status.code >= 500 ? language.text("error_text.internal_error") : Self.message(kesuError, in: language)
        let actor = RequestContext.actor ?? request.storage[SignedInActor.self]
        let page = ErrorPage(chrome: Pages.chrome(request, title: heading, actor: actor),
                             status: Int(status.code), heading: heading, message: message,
                             problems: kesuError.isBadInput && !kesuError.inReadersLanguage
                                ? Self.problems(kesuError, in: language) : [])
        let response = try await request.view.render("error", page).encodeResponse(status: status, for: request)
        APIErrorMiddleware.setHeaders(from: kesuError, on: response)
        return response
    }

    /// What went wrong, for a reader of `language`: the service's own message where they read it (English, or a
    /// message already written in their language), else the catalog's sentence for the error's code.
    static func message(_ error: KesuError, in language: Language) -> String {
        if language.readsServiceMessages || error.inReadersLanguage { return error.message }
        return language.strings["error_text." + error.code.rawValue] ?? language.text("error_text.invalid_input")
    }

    /// What is wrong with each field, in the form's words and the reader's language: the field's label and what it
    /// needs (the catalog's `field.<name>` and `problem.<name>`).
    static func problems(_ error: KesuError, in language: Language) -> [String] {
        error.details.sorted { $0.key < $1.key }.map { field, said in
            let rule = language.strings["problem." + field]
                ?? (language.readsServiceMessages ? said.joined(separator: ", ") : language.text("problem_said"))
            return language.text("form_problem", ["field": language.strings["field." + field] ?? field, "problem": rule])
        }
    }
}
