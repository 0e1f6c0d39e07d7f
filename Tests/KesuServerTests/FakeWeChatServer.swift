import Foundation
@testable import KesuServer
import NIOConcurrencyHelpers
import Vapor

/// A stand-in for WeChat's API servers we cannot reach, on 127.0.0.1, speaking their protocol: `stable_token` hands
/// out an access token for the right AppID and AppSecret; the message APIs take `access_token` in the query and
/// answer JSON with `errcode`. It refuses what WeChat refuses — a stale token (42001), an unknown one (40001), an
/// openid that does not follow (40003), a customer-service message more than 48 hours after the follower last wrote
/// (45015), a template it does not have (40037), a media id it does not keep (40007).
final class FakeWeChatServer: @unchecked Sendable {
    struct Sent: Equatable { var api, to, text: String; var template: String?; var url: String? }

    let appID: String, secret: String
    private var server: LocalHTTPServer!
    let sent = NIOLockedValueBox<[Sent]>([])
    let tokens = NIOLockedValueBox<[String: Bool]>([:])  // token → still good
    let tokenFetches = NIOLockedValueBox(0)
    /// When each follower last wrote, as WeChat knows it; a follower not here does not follow.
    let lastWrote = NIOLockedValueBox<[String: Date]>([:])
    let templates: Set<String>
    let media = NIOLockedValueBox<[String: Data]>([:])

    init(appID: String, secret: String, templates: Set<String>) async throws {
        self.appID = appID
        self.secret = secret
        self.templates = templates
        server = try await LocalHTTPServer.start { app in
            app.post("cgi-bin", "stable_token") { [unowned self] req in try self.token(req) }
            app.post("cgi-bin", "message", "custom", "send") { [unowned self] req in try self.custom(req) }
            app.post("cgi-bin", "message", "template", "send") { [unowned self] req in try self.template(req) }
            app.get("cgi-bin", "media", "get") { [unowned self] req in try self.mediaGet(req) }
        }
    }

    var url: String { server.url }

    func stop() async throws { try await server.stop() }

    /// Every token handed out so far stops working, as when it runs out or another client forced a new one.
    func expireTokens() { tokens.withLockedValue { for key in $0.keys { $0[key] = false } } }

    func reply(_ json: [String: Any]) throws -> Response {
        Response(status: .ok, headers: ["Content-Type": "application/json; encoding=utf-8"],
                 body: .init(data: try JSONSerialization.data(withJSONObject: json)))
    }

    func body(_ req: Request) throws -> [String: Any] {
        guard let buffer = req.body.data,
              let json = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
            throw Abort(.badRequest)
        }
        return json
    }

    func token(_ req: Request) throws -> Response {
        let json = try body(req)
        guard json["grant_type"] as? String == "client_credential" else { return try reply(["errcode": 40002, "errmsg": "invalid grant_type"]) }
        guard json["appid"] as? String == appID else { return try reply(["errcode": 40013, "errmsg": "invalid appid"]) }
        guard json["secret"] as? String == secret else { return try reply(["errcode": 40125, "errmsg": "invalid appsecret"]) }
        tokenFetches.withLockedValue { $0 += 1 }
        let token = "ACCESS_" + UUID().uuidString
        tokens.withLockedValue { $0[token] = true }
        return try reply(["access_token": token, "expires_in": 7200])
    }

    /// nil when the query's token is good, else WeChat's refusal.
    func refusal(_ req: Request) throws -> Response? {
        switch tokens.withLockedValue({ $0[req.query[String.self, at: "access_token"] ?? ""] }) {
        case true?: return nil
        case false?: return try reply(["errcode": 42001, "errmsg": "access_token expired"])
        case nil: return try reply(["errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"])
        }
    }

    func custom(_ req: Request) throws -> Response {
        if let refused = try refusal(req) { return refused }
        let json = try body(req)
        let to = json["touser"] as? String ?? ""
        guard let wrote = lastWrote.withLockedValue({ $0[to] }) else { return try reply(["errcode": 40003, "errmsg": "invalid openid"]) }
        guard Date().timeIntervalSince(wrote) < 48 * 3600 else { return try reply(["errcode": 45015, "errmsg": "response out of time limit"]) }
        guard json["msgtype"] as? String == "text", let text = (json["text"] as? [String: Any])?["content"] as? String,
              !text.isEmpty, text.utf8.count <= 2048 else {
            return try reply(["errcode": 44004, "errmsg": "text content is empty or too long"])
        }
        sent.withLockedValue { $0.append(Sent(api: "custom", to: to, text: text)) }
        return try reply(["errcode": 0, "errmsg": "ok"])
    }

    func template(_ req: Request) throws -> Response {
        if let refused = try refusal(req) { return refused }
        let json = try body(req)
        let to = json["touser"] as? String ?? ""
        guard lastWrote.withLockedValue({ $0[to] }) != nil else { return try reply(["errcode": 40003, "errmsg": "invalid openid"]) }
        guard let id = json["template_id"] as? String, templates.contains(id) else {
            return try reply(["errcode": 40037, "errmsg": "invalid template_id"])
        }
        let data = json["data"] as? [String: [String: String]] ?? [:]
        let text = ["first", "keyword1", "keyword2", "remark"].compactMap { data[$0]?["value"] }.joined(separator: "|")
        let count = sent.withLockedValue {
            $0.append(Sent(api: "template", to: to, text: text, template: id, url: json["url"] as? String))
            return $0.count
        }
        return try reply(["errcode": 0, "errmsg": "ok", "msgid": 200_228_332 + count])
    }

    func mediaGet(_ req: Request) throws -> Response {
        if let refused = try refusal(req) { return refused }
        guard let bytes = media.withLockedValue({ $0[req.query[String.self, at: "media_id"] ?? ""] }) else {
            return try reply(["errcode": 40007, "errmsg": "invalid media_id"])
        }
        return Response(status: .ok, headers: ["Content-Type": "image/jpeg", "Content-disposition": "attachment; filename=\"m.jpg\""],
                        body: .init(data: bytes))
    }

    func messages(to openID: String) -> [Sent] { sent.withLockedValue { $0.filter { $0.to == openID } } }
}
