import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

extension FinePagesController {
    struct EvidenceLink: Encodable { var url, name, kind, size: String; var isImage: Bool }

    struct EntryRow: Encodable {
        var at, who, kind, text: String
        var files: [EvidenceLink]
    }

    struct ShowPage: Encodable {
        var chrome: PageChrome
        var fine: FineListRow
        var reason: String
        var original: String
        var quantity: Int
        var issuedBy: String
        var complaint: String?
        var parcel: String?
        var parcelWaybill: String?
        var entries: [EntryRow]
        var canAppeal, canAccept, canAskSecond, canDecide, issuedByYou: Bool
        var kinds: [Choice]
        var decisions: [Choice]
        var done: String?
    }

    @Sendable func show(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        let language = WebSession.language(req)
        let t = language.strings
        let fine = try await Self.service(req).fine(try Self.id(req), for: actor)
        let entries = try await FineStore.entries(of: fine.id, on: req.db)
        let files = try await FineStore.evidence(of: fine.id, on: req.db)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        let now = req.application.kesu.clock.now()
        let rows = entries.reversed().map { e in
            let decision = e.decision.map { t["fine_decision." + $0] ?? $0 }
            let amount = e.amountFen.map { FineMoney.display($0) }
            let window = e.kind == "closed" || e.kind == "overdue" ? e.note.map { t["fine_window." + $0] ?? $0 } : e.note
            return EntryRow(
                at: format.time(e.at), who: e.byName == "Kesu" ? (t["system"] ?? "Kesu") : e.byName,
                kind: t["fine_entry." + e.kind] ?? e.kind,
                text: [decision, amount, window].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · "),
                files: files.filter { $0.entryID == e.id }.map { f in
                    EvidenceLink(url: "/fines/\(fine.id.uuidString)/evidence/\(f.id.uuidString)", name: f.fileName,
                                 kind: t["evidence_kind." + f.kind] ?? f.kind,
                                 size: ByteCountFormatter.string(fromByteCount: Int64(f.size), countStyle: .file),
                                 isImage: f.contentType.hasPrefix("image/"))
                })
        }
        let fined = actor.may(.appealFines, on: .owned(by: fine.ownerPath))
        let open = fine.deadline.map { $0 > now } ?? false
        let reviewing = fine.status == .appealed || fine.status == .secondReview
        let mayDecide = actor.may(.reviewFines, on: .owned(by: fine.ownerPath)) && actor.unitPath.depth <= 1 && reviewing
            && actor.userID != fine.issuedByID && !(fine.status == .secondReview && actor.userID == fine.firstReviewerID)
        return try await req.view.render("fines/show", ShowPage(
            chrome: Pages.chrome(req, title: (t["fine"] ?? "") + " " + fine.number, actor: actor),
            fine: Self.row(fine, language: language, format: format, now: now), reason: fine.reason,
            original: FineMoney.display(fine.originalFen), quantity: fine.quantity, issuedBy: fine.issuedByName,
            complaint: fine.complaintNumber, parcel: fine.parcelID?.uuidString, parcelWaybill: fine.parcelWaybill,
            entries: rows,
            canAppeal: fined && fine.status == .open && open,
            canAccept: fined && (fine.status == .open || fine.status == .decided),
            canAskSecond: fined && fine.status == .decided && open,
            canDecide: mayDecide, issuedByYou: reviewing && actor.userID == fine.issuedByID,
            kinds: Self.kinds(language),
            decisions: FineDecision.allCases.map {
                Choice(value: $0.rawValue, label: t["fine_decision." + $0.rawValue] ?? $0.rawValue, selected: $0 == .uphold)
            },
            done: Pages.flash(req, language: language)))
    }
}
