import Fluent
import Foundation
import KesuCore
import KesuStore

/// The appeal windows in force, from the settings an administrator or HQ quality keeps.
enum FineSettings {
    static let appealKey = "fine.appeal_hours", reviewKey = "fine.review_hours", secondKey = "fine.second_ask_hours"
    static let businessKey = "fine.business_time", overdueKey = "fine.overdue"

    static func windows(on db: any Database) async throws -> FineWindows {
        func hours(_ key: String, _ standard: TimeInterval) async throws -> Int {
            try await SettingsStore.value(key, on: db).flatMap(Int.init) ?? Int(standard / 3_600)
        }
        let s = FineWindows.standard
        return (try? FineWindows.hours(
            appeal: try await hours(appealKey, s.appeal), review: try await hours(reviewKey, s.review),
            secondAsk: try await hours(secondKey, s.secondAsk),
            businessTime: try await SettingsStore.value(businessKey, on: db) == "true",
            overdue: try await SettingsStore.value(overdueKey, on: db).flatMap(OverdueReview.init) ?? .suspend)) ?? s
    }

    static func save(_ w: FineWindows, on tx: any Database) async throws {
        try await SettingsStore.set(appealKey, to: String(Int(w.appeal / 3_600)), on: tx)
        try await SettingsStore.set(reviewKey, to: String(Int(w.review / 3_600)), on: tx)
        try await SettingsStore.set(secondKey, to: String(Int(w.secondAsk / 3_600)), on: tx)
        try await SettingsStore.set(businessKey, to: w.businessTime ? "true" : "false", on: tx)
        try await SettingsStore.set(overdueKey, to: w.overdue.rawValue, on: tx)
    }
}

/// Who hears of a fine, in-app, in the transaction that changed it: the fined unit's outlet staff (its issue, each
/// decision, its windows closing), HQ quality other than the issuer (an appeal to review), and HQ's supervisors and
/// quality when a review runs out of time.
enum FineNotices {
    static func params(_ fine: FineRow) -> [String: String] {
        ["fine": fine.id.uuidString, "number": fine.number, "unit": fine.unitName, "amount": FineMoney.display(fine.dueFen),
         "due": fine.deadline.map { String($0.millis) } ?? ""]
    }

    static func tellFined(_ ownerPath: String, kind: String, fine: FineRow, services: KesuServices, on tx: any Database)
        async throws
    {
        let people = try await NotificationStore.escalatees(roles: [.outlet], on: tx)
        // The fined unit's own staff and its outlet's (a courier's fine reaches the outlet owner too).
        let outletPath = try await OrgUnitModel.find(fine.outletID, on: tx)?.path ?? ownerPath
        let ids = people.filter { ownerPath.hasPrefix($0.unitPath.rawValue) && $0.unitPath.rawValue.hasPrefix(outletPath) }.map(\.id)
        try await insert(ids, kind: kind, fine: fine, services: services, on: tx)
    }

    static func tellReviewers(kind: String, fine: FineRow, services: KesuServices, on tx: any Database) async throws {
        let people = try await NotificationStore.escalatees(roles: [.quality], on: tx)
        let ids = people.filter { $0.unitPath.depth <= 1 && $0.id != fine.issuedByID && $0.id != fine.firstReviewerID }.map(\.id)
        try await insert(ids, kind: kind, fine: fine, services: services, on: tx)
    }

    static func tellSupervisors(kind: String, fine: FineRow, services: KesuServices, on tx: any Database) async throws {
        let people = try await NotificationStore.escalatees(roles: [.supervisor, .quality], on: tx)
        try await insert(people.filter { $0.unitPath.depth <= 1 }.map(\.id), kind: kind, fine: fine, services: services, on: tx)
    }

    private static func insert(_ ids: [UUID], kind: String, fine: FineRow, services: KesuServices, on tx: any Database)
        async throws
    {
        let now = services.now()
        let params = params(fine)
        try await NotificationStore.insert(ids.map {
            NotificationRow(id: services.ids.next(), userID: $0, complaintID: nil, kind: kind, params: params, createdAt: now)
        }, on: tx)
    }
}

/// Money as the pages and statements write it: fen as yuan with two decimals.
enum FineMoney {
    static func yuan(_ fen: Int) -> String {
        let sign = fen < 0 ? "-" : ""
        let a = abs(fen)
        return "\(sign)\(a / 100).\(String(format: "%02d", a % 100))"
    }

    /// Money for a reader: "¥1,000.00", "−¥500.00".
    static func display(_ fen: Int) -> String {
        let a = abs(fen)
        var whole = String(a / 100)
        var groups: [String] = []
        while whole.count > 3 {
            groups.insert(String(whole.suffix(3)), at: 0)
            whole = String(whole.dropLast(3))
        }
        groups.insert(whole, at: 0)
        return (fen < 0 ? "−" : "") + "¥" + groups.joined(separator: ",") + "." + String(format: "%02d", a % 100)
    }

    /// Yuan as typed ("300", "12.5", "0.01") to fen; nil for anything else.
    static func fen(_ text: String) -> Int? {
        let t = text.trimmed
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0, whole <= 10_000_000,
              parts[0].allSatisfy(\.isASCII) else { return nil }
        guard parts.count == 2 else { return whole * 100 }
        let cents = parts[1]
        guard (1...2).contains(cents.count), cents.allSatisfy({ $0.isASCII && $0.isNumber }), let c = Int(cents) else { return nil }
        return whole * 100 + (cents.count == 1 ? c * 10 : c)
    }
}

/// What a fine's window clock does when it fires, as the work-queue job `clock.fine`, in the transaction that marks the
/// job done — so each window closes once: the appeal window or the second-review window makes the fine final; a review
/// out of time is flagged, escalated to HQ's supervisors, and stays suspended (or is revoked, by configuration). The
/// warning reminds whoever the window waits for.
struct FineClockHandler: JobHandler {
    func perform(_ job: JobRow, services: KesuServices, on tx: any Database) async throws {
        guard let fired = try? JSONDecoder.jobs.decode(SubjectClockFired.self, from: Data(job.payload.utf8)),
              let window = fired.note.flatMap(FineWindow.init) else {
            throw JobFailure.permanent("the clock payload cannot be read")
        }
        try await RowLock.fine(fired.subjectID, on: tx)
        guard var row = try await FineStore.find(fired.subjectID, on: tx) else {
            throw JobFailure.permanent("no fine \(fired.subjectID)")
        }
        guard row.window == window, row.deadline != nil else { return }
        let waitsForFined = window == .appeal || window == .secondAsk
        guard fired.event == "breach" else {
            if waitsForFined {
                try await FineNotices.tellFined(row.ownerPath, kind: "fine_window_closing", fine: row, services: services, on: tx)
            } else {
                try await FineNotices.tellReviewers(kind: "fine_review_due", fine: row, services: services, on: tx)
            }
            return
        }
        let now = max(services.now(), fired.dueAt)
        var fine = row.rule(windows: try await FineSettings.windows(on: tx))
        let escalate = fine.windowEnded(window, at: now)
        row.apply(fine, at: now)
        if escalate { row.overdueAt = now }
        try await FineStore.update(row, on: tx)
        try await FineStore.insert([FineEntry(
            id: services.ids.next(), fineID: row.id, at: now, byID: nil, byName: "Kesu", kind: escalate ? "overdue" : "closed",
            decision: fine.status == .final ? fine.decision?.rawValue : nil, amountFen: fine.dueFen, note: window.rawValue)], on: tx)
        if escalate {
            try await FineNotices.tellSupervisors(kind: "fine_review_overdue", fine: row, services: services, on: tx)
        }
    }
}
