import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// /admin/notices — the words of every customer notice on each channel, in Chinese and English: the catalog's until
/// an admin changes them, and back to the catalog's on request. Each form says which placeholders its notice fills.
struct NoticeTemplatesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "notices", use: page)
        routes.post("admin", "notices", ":notice", ":channel", use: save)
    }

    struct Item: Encodable {
        var notice, channel, name, channelName, placeholders: String
        var subjectZh, bodyZh, subjectEn, bodyEn: String
        var sms: Bool
        var changedBy: String
    }
    struct Page: Encodable {
        var chrome: PageChrome
        var section = "notices"
        var items: [Item]
        var errors: [String]
        var errorFor: String
    }

    @Sendable func page(req: Request) async throws -> View {
        try await render(req, errors: [], errorFor: "")
    }

    func render(_ req: Request, errors: [String], errorFor: String, typed: Item? = nil) async throws -> View {
        let actor = try RequestContext.requireActor()
        let language = WebSession.language(req)
        let t = language.strings
        let all = try await NoticeTemplates(services: req.application.kesu, db: req.db).all(by: actor)
        let items = all.map { kind, channel, words in
            let item = Item(notice: kind.rawValue, channel: channel, name: t["notice_kind." + kind.rawValue] ?? kind.rawValue,
                            channelName: channel == "sms" ? t["channel_out.sms"] ?? channel : t["channel." + channel] ?? channel,
                            placeholders: NoticeTemplates.placeholders(for: kind).sorted().map { "{\($0)}" }.joined(separator: " "),
                            subjectZh: words.subject[.zh] ?? "", bodyZh: words.body[.zh] ?? "",
                            subjectEn: words.subject[.en] ?? "", bodyEn: words.body[.en] ?? "", sms: channel != "email",
                            changedBy: words.changedBy ?? "")
            if let typed, typed.notice == item.notice, typed.channel == item.channel {
                var shown = item
                (shown.subjectZh, shown.bodyZh, shown.subjectEn, shown.bodyEn) = (typed.subjectZh, typed.bodyZh, typed.subjectEn, typed.bodyEn)
                return shown
            }
            return item
        }
        return try await req.view.render("admin/notices", Page(
            chrome: Pages.chrome(req, title: t["notice_templates"] ?? "", actor: actor), items: items, errors: errors,
            errorFor: errorFor))
    }

    struct Form: Decodable {
        var subject_zh: String?, body_zh: String?, subject_en: String?, body_en: String?, reset: String?
    }

    @Sendable func save(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        guard let kind = req.parameters.get("notice").flatMap(NoticeKind.init(rawValue:)), let channel = req.parameters.get("channel")
        else { throw KesuError.notFound("No such notice.") }
        let form = try req.content.decode(Form.self)
        let words = form.reset == "1" ? nil : NoticeTemplates.Words(
            subject: [.zh: form.subject_zh ?? "", .en: form.subject_en ?? ""],
            body: [.zh: form.body_zh ?? "", .en: form.body_en ?? ""], changedBy: nil)
        do {
            try await NoticeTemplates(services: req.application.kesu, db: req.db).save(kind, channel: channel, words: words, by: actor)
        } catch let error as KesuError where error.isBadInput {
            let language = WebSession.language(req)
            let typed = Item(notice: kind.rawValue, channel: channel, name: "", channelName: "", placeholders: "",
                             subjectZh: form.subject_zh ?? "", bodyZh: form.body_zh ?? "", subjectEn: form.subject_en ?? "",
                             bodyEn: form.body_en ?? "", sms: channel != "email", changedBy: "")
            return try await render(req, errors: WebErrorMiddleware.problems(error, in: language), errorFor: kind.rawValue + "-" + channel,
                                    typed: typed).encodeResponse(status: .unprocessableEntity, for: req)
        }
        return req.redirect(to: "/admin/notices#\(kind.rawValue)-\(channel)")
    }
}
