import AsyncHTTPClient
import Foundation
import KesuCore
import KesuStore
import NIOCore
import NIOHTTP1

/// `KESU_WECHAT_*`: the official account — its callback's token and key, and, to answer followers, its AppSecret,
/// WeChat's API address and the template ids of the notices sent outside the 48-hour window.
package struct WeChatSettings: Sendable, Equatable {
    package var token: String
    package var appID: String
    package var encodingAESKey: String?
    package var secret: String?
    package var apiURL: URL = URL(string: "https://api.weixin.qq.com")!
    package var templates: [String: String] = [:]
}

/// The access tokens of each account, shared by every sender in the process: fetched through `stable_token` (which
/// hands every caller the same token while it lasts, so several instances do not push each other's out), kept
/// until five minutes before it runs out, fetched once however many senders ask at the same moment.
actor WeChatTokenCache {
    static let shared = WeChatTokenCache()

    private var tokens: [String: (token: String, until: Date)] = [:]
    private var fetching: [String: Task<(String, Date), any Error>] = [:]

    func token(for key: String, force: Bool, fetch: @escaping @Sendable (Bool) async throws -> (String, Date)) async throws -> String {
        if !force, let kept = tokens[key], kept.until > Date().addingTimeInterval(300) { return kept.token }
        if let task = fetching[key] { return try await task.value.0 }
        let task = Task { try await fetch(force) }
        fetching[key] = task
        defer { fetching[key] = nil }
        let (token, until) = try await task.value
        tokens[key] = (token, until)
        return token
    }
}

/// WeChat's server API as Kesu uses it: JSON over HTTPS with `access_token` in the query, every answer carrying
/// `errcode` (0 or absent when it worked).
struct WeChatAPI: Sendable {
    let settings: WeChatSettings
    var client: HTTPClient = .shared

    struct Failure: Error { var code: Int; var message: String }

    /// Codes that say the token is no longer good: fetch a new one and ask again, once.
    static let staleToken: Set<Int> = [40001, 40014, 42001]
    /// Codes that say trying later may help.
    static let busy: Set<Int> = [-1, 45009, 45011]

    func token(force: Bool = false) async throws -> String {
        guard let secret = settings.secret else { throw JobFailure.permanent("KESU_WECHAT_SECRET is not set") }
        let settings = settings, client = client
        return try await WeChatTokenCache.shared.token(for: settings.appID + "@" + settings.apiURL.absoluteString, force: force) { force in
            let reply = try await WeChatAPI(settings: settings, client: client).exchange(
                "/cgi-bin/stable_token", query: nil,
                json: ["grant_type": "client_credential", "appid": settings.appID, "secret": secret, "force_refresh": force])
            guard let token = reply["access_token"] as? String else { throw JobFailure.temporary("WeChat gave no access_token") }
            let seconds = (reply["expires_in"] as? Int) ?? 7_200
            return (token, Date().addingTimeInterval(TimeInterval(seconds)))
        }
    }

    /// Calls an API with the access token, fetching a new token once when WeChat says it went stale.
    func call(_ path: String, json: [String: Any]) async throws -> [String: Any] {
        let body = try JSONSerialization.data(withJSONObject: json)
        do {
            return try await exchange(path, query: "access_token=" + (try await token()), body: body)
        } catch let failure as Failure where Self.staleToken.contains(failure.code) {
            return try await exchange(path, query: "access_token=" + (try await token(force: true)), body: body)
        }
    }

    /// A photo or voice a follower sent (`media/get`), at most `limit` bytes; nil when it is larger.
    func media(_ id: String, limit: Int) async throws -> (bytes: Data, type: String?)? {
        var parts = URLComponents(url: settings.apiURL.appendingPathComponent("cgi-bin/media/get"), resolvingAgainstBaseURL: false)
        parts?.queryItems = [URLQueryItem(name: "access_token", value: try await token()), URLQueryItem(name: "media_id", value: id)]
        let request = HTTPClientRequest(url: parts?.string ?? "")
        let response = try await send(request)
        let type = response.headers.first(name: "Content-Type")
        guard let bytes = try? await response.body.collect(upTo: limit + 1), bytes.readableBytes <= limit else { return nil }
        let data = Data(bytes.readableBytesView)
        if type?.hasPrefix("application/json") == true || type?.hasPrefix("text/plain") == true {
            try Self.check((try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? ["errcode": -1])
        }
        return (data, type)
    }

    private func exchange(_ path: String, query: String?, json: [String: Any]) async throws -> [String: Any] {
        try await exchange(path, query: query, body: try JSONSerialization.data(withJSONObject: json))
    }

    private func exchange(_ path: String, query: String?, body: Data) async throws -> [String: Any] {
        var url = settings.apiURL.absoluteString
        if url.hasSuffix("/") { url.removeLast() }
        var request = HTTPClientRequest(url: url + path + (query.map { "?" + $0 } ?? ""))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await send(request)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard let reply = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any] else {
            throw JobFailure.temporary("WeChat answered HTTP \(response.status.code) without JSON")
        }
        try Self.check(reply)
        return reply
    }

    private func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let response: HTTPClientResponse
        do { response = try await client.execute(request, timeout: .seconds(15)) } catch {
            throw JobFailure.temporary("WeChat unreachable (\(type(of: error)))")
        }
        if response.status.code >= 500 { throw JobFailure.temporary("WeChat: HTTP \(response.status.code)") }
        return response
    }

    static func check(_ reply: [String: Any]) throws {
        let code = (reply["errcode"] as? Int) ?? 0
        guard code != 0 else { return }
        let message = String(((reply["errmsg"] as? String) ?? "").prefix(200))
        if busy.contains(code) { throw JobFailure.temporary("WeChat: \(code) \(message)") }
        throw Failure(code: code, message: message)
    }
}

/// Messages to followers. Inside 48 hours of the follower's last message a customer-service message (客服消息)
/// carries the notice's own words; after that WeChat refuses those (45015) and the notice goes as the template
/// message set up for its kind, linking to the complaint's page. Sending is not idempotent and WeChat cannot be asked
/// afterwards, so a message whose sender died mid-send is sent again.
struct WeChatTransport: MessageTransport {
    let api: WeChatAPI

    /// Codes that say WeChat will not take a customer-service message now: outside the window, or too many.
    static let outsideWindow: Set<Int> = [45015, 45047]

    func send(_ message: OutboundRow, config: AppConfig, now: Date) async throws -> String? {
        do {
            _ = try await api.call("/cgi-bin/message/custom/send", json: [
                "touser": message.recipient, "msgtype": "text", "text": ["content": message.body],
            ])
            return "custom:" + message.id.uuidString
        } catch let failure as WeChatAPI.Failure where Self.outsideWindow.contains(failure.code) {
            return try await template(message, after: failure)
        } catch let failure as WeChatAPI.Failure {
            throw JobFailure.permanent("WeChat: \(failure.code) \(failure.message)")
        }
    }

    private func template(_ message: OutboundRow, after failure: WeChatAPI.Failure) async throws -> String? {
        guard let template = api.settings.templates[message.notice] else {
            throw JobFailure.permanent("WeChat: \(failure.code) outside the 48-hour window, and KESU_WECHAT_TEMPLATES has no "
                                       + "template for \(message.notice)")
        }
        let values = (try? JSONDecoder().decode([String: String].self, from: Data(message.subject.utf8))) ?? [:]
        var json: [String: Any] = ["touser": message.recipient, "template_id": template, "data": [
            "first": ["value": values["title"] ?? ""], "keyword1": ["value": values["number"] ?? ""],
            "keyword2": ["value": values["state"] ?? ""], "remark": ["value": String(message.body.prefix(180))],
        ]]
        if let link = values["link"] { json["url"] = link }
        do {
            let reply = try await api.call("/cgi-bin/message/template/send", json: json)
            return "template:" + String(describing: reply["msgid"] ?? message.id.uuidString)
        } catch let failure as WeChatAPI.Failure {
            throw JobFailure.permanent("WeChat template message: \(failure.code) \(failure.message)")
        }
    }
}
