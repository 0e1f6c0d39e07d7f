import Fluent
import Foundation
import KesuCore
import KesuStore

/// 通知模板 — the words of each customer notice, per channel and language: the catalog's unless an admin changed
/// them. A template may use only the placeholders its notice fills, so no notice goes out with a `{hole}` in it.
package struct NoticeTemplates: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    package static let channels = ["email", "sms", "wechat"]

    /// What each notice fills in.
    package static func placeholders(for kind: NoticeKind) -> Set<String> {
        switch kind {
        case .received, .proposal, .survey: ["number", "link"]
        case .reply, .execution: ["number", "text"]
        case .investigating: ["number"]
        case .closed: ["number", "summary"]
        case .regulator: ["number", "text", "caseNumber"]
        }
    }

    /// One notice's words on one channel: (subject, body) per language; an SMS has no subject.
    package struct Words: Sendable, Equatable {
        package var subject: [Language: String]
        package var body: [Language: String]
        package var changedBy: String?
    }

    /// The words in force: the admin's where they changed them, else the catalog's.
    static func words(_ kind: NoticeKind, channel: String, overrides: [NoticeTemplateRow]) -> Words {
        var words = Words(subject: [:], body: [:], changedBy: overrides.first?.updatedBy)
        for language in Language.allCases {
            let own = overrides.first { $0.language == language.rawValue }
            // A WeChat message is as short as an SMS, and says what the SMS says unless an admin changed it.
            let short = channel != "email"
            words.subject[language] = own?.subject ?? (short ? "" : language.strings["notice_\(kind.rawValue)_subject"] ?? "")
            words.body[language] = own?.body ?? language.strings[short ? "sms_" + kind.rawValue : "notice_\(kind.rawValue)_body"] ?? ""
        }
        return words
    }

    /// The words of every notice on every channel, for the admin page.
    package func all(by actor: Actor) async throws -> [(NoticeKind, String, Words)] {
        try actor.require(.manageNotices)
        let rows = try await NoticeTemplateStore.all(on: db)
        return NoticeKind.allCases.flatMap { kind in
            (kind == .regulator ? ["email"] : Self.channels).map { channel in
                (kind, channel, Self.words(kind, channel: channel, overrides: rows.filter { $0.notice == kind.rawValue && $0.channel == channel }))
            }
        }
    }

    /// An admin's new words; `nil` goes back to the catalog's. Refuses unknown placeholders, empty bodies, and an
    /// SMS longer than a gateway template may be.
    package func save(_ kind: NoticeKind, channel: String, words: Words?, by actor: Actor) async throws {
        try actor.require(.manageNotices)
        guard Self.channels.contains(channel) else { throw KesuError.notFound("No channel \(channel.prefix(20)).") }
        var problems = ValidationProblems()
        var rows: [NoticeTemplateRow] = []
        if let words {
            let allowed = Self.placeholders(for: kind)
            for language in Language.allCases {
                let subject = (words.subject[language] ?? "").trimmed, body = (words.body[language] ?? "").trimmed
                let field = language.rawValue
                if body.isEmpty { problems.refuse("body_\(field)", "is empty") }
                if body.count > (channel == "sms" ? 300 : channel == "wechat" ? 600 : 5_000) { problems.refuse("body_\(field)", "is too long") }
                if channel == "email", subject.isEmpty { problems.refuse("subject_\(field)", "is empty") }
                if subject.count > 200 { problems.refuse("subject_\(field)", "is too long") }
                let unknown = LocaleCatalog.placeholders(in: subject + body).subtracting(allowed)
                if !unknown.isEmpty {
                    problems.refuse("body_\(field)", "uses " + unknown.sorted().map { "{\($0)}" }.joined(separator: ", ")
                                    + "; this notice fills " + allowed.sorted().map { "{\($0)}" }.joined(separator: ", "))
                }
                rows.append(NoticeTemplateRow(notice: kind.rawValue, channel: channel, language: field, subject: subject,
                                              body: body, updatedBy: actor.displayName, updatedAt: services.now()))
            }
        }
        try problems.throwIfAny("The notice's words are not right")
        let services = services, kept = rows
        try await services.writer.write(on: db) { tx in
            try await NoticeTemplateStore.replace(notice: kind.rawValue, channel: channel, with: kept, id: services.ids.next, on: tx)
        }
    }
}
