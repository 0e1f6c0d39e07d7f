import Fluent
import Foundation
import KesuCore
import KesuStore
import SQLKit
import Vapor

/// 回访 — after execution the customer is asked how it went: on their page or by phone, at most two attempts a day
/// apart. 不满意 reopens the complaint (and marks it a repeat).
package struct FollowUpService: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    package func list(_ number: String, by actor: Actor) async throws -> [FollowUpRow] {
        let complaint = try await ComplaintService(services: services, db: db).visible(number, to: actor, for: .viewComplaints)
        return try await FollowUpStore.list(complaintID: try complaint.requireID(), on: db)
    }

    /// Records an attempt: an answer taken on the phone by `actor`, or given by the customer on their page.
    package func record(_ number: String, outcome: FollowUpOutcome, comment: String?, by actor: Actor)
        async throws -> [FollowUpRow]
    {
        let byCustomer = actor.principal.isCustomer
        let complaints = ComplaintService(services: services, db: db)
        let complaint = try await complaints.visible(number, to: actor, for: byCustomer ? .actAsCustomer : .workComplaints)
        guard complaint.status == ComplaintStatus.followUp.rawValue else {
            throw KesuError.conflict("Complaint \(complaint.number) is not waiting for a follow-up.")
        }
        if byCustomer, outcome == .noAnswer { throw KesuError.refused("Choose how satisfied you are.") }
        let text = try comment.flatMap { try ComplaintService.checkNote($0, required: false) }
        let id = try complaint.requireID()
        let now = services.now()
        let row = FollowUpRow(id: services.ids.next(), complaintID: id, outcome: outcome, comment: text,
                              via: byCustomer ? "portal" : "phone", recordedBy: actor.displayName, at: now)
        let note = (byCustomer ? "客户评价：" : "回访（电话）：") + Language.zh.name(of: outcome) + (text.map { "。\($0)" } ?? "")
        let event = complaints.event(id, actor, "follow_up", visible: outcome != .noAnswer, note: note,
                                     after: ["outcome": outcome.rawValue, "followUpVia": byCustomer ? "portal" : "phone",
                                             "text": text ?? ""], at: now)
        let settings = try await services.clockSettings(on: db)
        try await services.writer.write(on: db) { tx in
            // One attempt at a time per complaint: the row lock makes a second recorder wait and then see the first.
            try await RowLock.complaint(id, on: tx)
            let since = try await FollowUpStore.roundStart(complaintID: id, on: tx)
            let earlier = try await FollowUpStore.list(complaintID: id, since: since, on: tx)
            try FollowUpRules.checkAttempt(outcome, earlier: earlier.map { ($0.outcome, $0.at) }, now: now)
            try await FollowUpStore.insert(row, on: tx)
            try await ComplaintStore.append([event], on: tx)
            // The attempt meets the follow-up clock; if it reached no one and another is allowed, the next is due
            // a day later.
            var clocks = try await ClockStore.clocks(of: id, forUpdate: true, on: tx)
            let met = ClockBook.meet(&clocks, kinds: [.followUp], at: now)
            for i in met { try await ClockStore.update(clocks[i], on: tx) }
            var added: [StoredClock] = []
            if outcome == .noAnswer, earlier.count + 1 < FollowUpRules.maxAttempts {
                added.append(ClockBook.followUp(complaintID: id, at: now, id: self.services.ids.next()))
                try await ClockStore.insert(added, on: tx)
            }
            try await ClockStore.setDue(complaintID: id, nearest: ClockBook.nearest(clocks + added), on: tx)
            if outcome == .unsatisfied {
                try await complaints.move(id, TransitionRequest(to: .reopened), note: "回访不满意，重新处理",
                                          settings: settings, by: actor, on: tx)
            }
        }
        return try await FollowUpStore.list(complaintID: id, on: db)
    }
}
