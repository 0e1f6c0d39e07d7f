import Foundation
import KesuCore
@testable import KesuServer
import NIOConcurrencyHelpers
import Vapor

/// A stand-in for the SMS gateway we cannot reach, on 127.0.0.1, speaking its HTTP API: form-encoded requests
/// signed with HMAC-SHA256 over the sorted parameters, `SendSms` and `QuerySendDetails`, JSON answers with `Code`.
/// It refuses what the real one refuses — a bad signature, an old timestamp, a reused nonce, a missing template —
/// and can be told to answer the next sends with an error code, or to take its time.
final class FakeSMSGateway: @unchecked Sendable {
    struct Sent: Equatable { var phone, template, params, outID, day: String }

    let secret: String
    private var server: LocalHTTPServer!
    let sent = NIOLockedValueBox<[Sent]>([])
    let nonces = NIOLockedValueBox<Set<String>>([])
    /// The code the next sends answer with (e.g. `isv.BUSINESS_LIMIT_CONTROL`), or nil for OK.
    let failWith = NIOLockedValueBox<String?>(nil)
    /// What the carrier reported for a message, by out-id: SendStatus and ErrCode (3 DELIVRD unless told).
    let reports = NIOLockedValueBox<[String: (status: Int, code: String)]>([:])
    /// How long each send takes, as a slow gateway's would.
    let delay = NIOLockedValueBox<Duration>(.zero)

    init(secret: String) async throws {
        self.secret = secret
        server = try await LocalHTTPServer.start { app in
            app.post { [unowned self] req async throws in
                let delay = self.delay.withLockedValue { $0 }
                if delay > .zero { try await Task.sleep(for: delay) }
                return try self.answer(req)
            }
        }
    }

    var url: String { server.url + "/" }

    func stop() async throws { try await server.stop() }

    func answer(_ req: Request) throws -> Response {
        let params = try req.content.decode([String: String].self, as: .urlEncodedForm)
        func reply(_ json: [String: Any]) throws -> Response {
            Response(status: .ok, headers: ["Content-Type": "application/json"],
                     body: .init(data: try JSONSerialization.data(withJSONObject: json)))
        }
        guard let signature = params["Signature"], signature == SMSSigning.signature(of: params, secret: secret) else {
            return try reply(["Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"])
        }
        let stamp = ISO8601DateFormatter().date(from: params["Timestamp"] ?? "")
        guard let stamp, abs(stamp.timeIntervalSinceNow) < 900 else {
            return try reply(["Code": "InvalidTimeStamp.Expired", "Message": "timestamp expired"])
        }
        guard let nonce = params["SignatureNonce"], nonces.withLockedValue({ $0.insert(nonce).inserted }) else {
            return try reply(["Code": "SignatureNonceUsed", "Message": "nonce used"])
        }
        // The gateway files messages by the day they were sent, in Beijing time.
        let day = ComplaintNumber.dayKey(of: stamp, in: TimeZone(identifier: "Asia/Shanghai") ?? .gmt)
        switch params["Action"] {
        case "SendSms":
            guard let phone = params["PhoneNumbers"], let template = params["TemplateCode"], !template.isEmpty,
                  params["SignName"]?.isEmpty == false, let outID = params["OutId"] else {
                return try reply(["Code": "isv.MISSING_PARAMETER"])
            }
            if let code = failWith.withLockedValue({ $0 }) { return try reply(["Code": code, "Message": "refused"]) }
            guard (try? JSONSerialization.jsonObject(with: Data((params["TemplateParam"] ?? "").utf8))) != nil else {
                return try reply(["Code": "isv.INVALID_JSON_PARAM"])
            }
            sent.withLockedValue { $0.append(Sent(phone: phone, template: template, params: params["TemplateParam"] ?? "",
                                                  outID: outID, day: day)) }
            return try reply(["Code": "OK", "BizId": "biz-" + outID.prefix(8), "RequestId": UUID().uuidString])
        case "QuerySendDetails":
            let phone = params["PhoneNumber"] ?? "", date = params["SendDate"] ?? ""
            let found = sent.withLockedValue { $0.filter { $0.phone == phone && ($0.day == date || date.isEmpty) } }
            let reported = reports.withLockedValue { $0 }
            return try reply(["Code": "OK", "TotalCount": found.count, "SmsSendDetailDTOs": ["SmsSendDetailDTO": found.map {
                ["PhoneNum": $0.phone, "OutId": $0.outID, "SendStatus": reported[$0.outID]?.status ?? 3,
                 "ErrCode": reported[$0.outID]?.code ?? "DELIVRD", "TemplateCode": $0.template]
            }]])
        default:
            return try reply(["Code": "InvalidAction.NotFound"])
        }
    }

    func count(outID: String) -> Int { sent.withLockedValue { $0.filter { $0.outID == outID }.count } }
}
