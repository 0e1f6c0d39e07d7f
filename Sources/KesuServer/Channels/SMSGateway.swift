import AsyncHTTPClient
import Foundation
import KesuCore
import KesuStore
import NIOCore
import Vapor

/// `KESU_SMS_URL` and its keys: the SMS gateway, in the shape of the common Chinese ones (Aliyun's dysmsapi):
/// an approved template code and its parameters, the company's sign name (签名), our out-id on each message, every
/// request signed with HMAC-SHA256 over its sorted parameters.
package struct SMSSettings: Sendable, Equatable {
    package var url: URL
    package var keyID: String
    package var secret: String
    package var signName: String
    /// Template codes by notice kind (`KESU_SMS_TEMPLATES=received:SMS_1001,closed:SMS_1002`); a kind without one
    /// uses `KESU_<KIND>`.
    package var templates: [String: String]

    package func template(for notice: String) -> String { templates[notice] ?? "KESU_" + notice.uppercased() }

    /// The parameters a template is filled with, from the notice's values.
    static func parameters(for notice: String, number: String, link: String?) -> [String: String] {
        var p = ["number": number]
        if let link { p["link"] = link }
        return p
    }
}

/// Signing as the gateway checks it: the parameters (without `Signature`) sorted by name, each `name=value`
/// percent-encoded (RFC 3986) and joined with `&`; then `POST&%2F&` + that string, encoded once more, signed with
/// `secret&` as the key.
package enum SMSSigning {
    package static func signature(of parameters: [String: String], secret: String) -> String {
        let canonical = parameters.filter { $0.key != "Signature" }.sorted { $0.key < $1.key }
            .map { encode($0.key) + "=" + encode($0.value) }.joined(separator: "&")
        let text = "POST&" + encode("/") + "&" + encode(canonical)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data((secret + "&").utf8)))
        return Data(mac).base64EncodedString()
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// The form body of a signed request.
    static func body(_ parameters: [String: String]) -> String {
        parameters.sorted { $0.key < $1.key }.map { encode($0.key) + "=" + encode($0.value) }.joined(separator: "&")
    }
}

/// SMS through the gateway. Sending is not idempotent, so before trying a message again the sender asks the
/// gateway (QuerySendDetails for that phone and day) whether a message with our out-id already went.
struct SMSTransport: MessageTransport {
    let settings: SMSSettings
    var client: HTTPClient = .shared

    struct Reply: Decodable {
        var Code: String
        var Message: String?
        var BizId: String?
        struct Details: Decodable { var SmsSendDetailDTO: [Detail]? }
        struct Detail: Decodable { var OutId: String?; var SendStatus: Int?; var ErrCode: String? }
        var SmsSendDetailDTOs: Details?
    }

    func send(_ message: OutboundRow, config: AppConfig, now: Date) async throws -> String? {
        guard PhoneNumber(message.recipient)?.isMobile == true else {
            throw JobFailure.permanent("not a mobile number")
        }
        let params = (try? JSONDecoder().decode([String: String].self, from: Data(message.subject.utf8))) ?? [:]
        let template = String(data: (try? JSONEncoder.sorted.encode(params)) ?? Data("{}".utf8), encoding: .utf8) ?? "{}"
        let reply = try await call([
            "Action": "SendSms", "PhoneNumbers": message.recipient, "SignName": settings.signName,
            "TemplateCode": settings.template(for: message.notice), "TemplateParam": template,
            "OutId": message.id.uuidString,
        ], now: now)
        switch reply.Code {
        case "OK": return reply.BizId
        case "isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "Throttling", "ServiceUnavailable":
            throw JobFailure.temporary("SMS gateway: \(reply.Code)")
        default:
            throw JobFailure.permanent("SMS gateway: \(reply.Code) \(reply.Message?.prefix(200) ?? "")")
        }
    }

    func wasSent(_ message: OutboundRow, config: AppConfig) async throws -> String?? {
        // The day it was first tried (the gateway files messages by the day they were sent).
        guard let found = try await detail(message, day: message.createdAt, config: config) else { return nil }
        guard let found, found.SendStatus != 2 else { return .some(nil) }
        return .some(message.id.uuidString)
    }

    var reportsDelivery: Bool { true }

    /// SendStatus 3 arrived, 2 did not (ErrCode says why: DELIVRD is success, others like MK:0001 a phone off or
    /// UNDELIV a number out of service), 1 waiting for the carrier's receipt.
    func report(_ message: OutboundRow, config: AppConfig) async throws -> DeliveryReport {
        guard let found = try await detail(message, day: message.sentAt ?? message.createdAt, config: config),
              let found else { return .pending }
        switch found.SendStatus {
        case 3: return .delivered
        case 2: return .undelivered("SMS gateway: " + String((found.ErrCode ?? "not delivered").prefix(100)))
        default: return .pending
        }
    }

    /// The gateway's record of this message (QuerySendDetails for its phone and day): nil when the gateway did not
    /// answer, .some(nil) when it has none.
    private func detail(_ message: OutboundRow, day: Date, config: AppConfig) async throws -> Reply.Detail?? {
        let reply = try await call(["Action": "QuerySendDetails", "PhoneNumber": message.recipient,
                                    "SendDate": ComplaintNumber.dayKey(of: day, in: config.timeZone),
                                    "PageSize": "50", "CurrentPage": "1"], now: Date())
        guard reply.Code == "OK" else { return nil }
        return .some(reply.SmsSendDetailDTOs?.SmsSendDetailDTO?.first { $0.OutId == message.id.uuidString })
    }

    private func call(_ action: [String: String], now: Date) async throws -> Reply {
        var params = action
        let stamp = ISO8601DateFormatter()
        stamp.formatOptions = [.withInternetDateTime]
        params["AccessKeyId"] = settings.keyID
        params["Timestamp"] = stamp.string(from: now)
        params["SignatureMethod"] = "HMAC-SHA256"
        params["SignatureNonce"] = UUID().uuidString
        params["Format"] = "JSON"
        params["Signature"] = SMSSigning.signature(of: params, secret: settings.secret)
        var request = HTTPClientRequest(url: settings.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: SMSSigning.body(params)))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(15))
        } catch {
            throw JobFailure.temporary("SMS gateway unreachable (\(type(of: error)))")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        if response.status.code >= 500 { throw JobFailure.temporary("SMS gateway: HTTP \(response.status.code)") }
        guard let reply = try? JSONDecoder().decode(Reply.self, from: Data(body.readableBytesView)) else {
            throw JobFailure.temporary("SMS gateway: an answer that is not JSON (HTTP \(response.status.code))")
        }
        return reply
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
