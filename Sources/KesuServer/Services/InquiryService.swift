import Fluent
import Foundation
import KesuCore
import KesuStore
import SQLKit
import Vapor

/// 调查任务 — a question put to an outlet, a transfer centre or a team about a complaint. It runs on its own clock,
/// shows in the asked unit's queue (whose people may then open the complaint), and is answered with text and files
/// that join the complaint's evidence. Everything about it stays internal.
package struct InquiryService: Sendable {
    let services: KesuServices
    let db: any Database

    /// The longest an investigation may be given.
    static let longest: TimeInterval = 14 * 86_400
    /// What it is given when the asker does not say.
    static let standardSpan: TimeInterval = 24 * 3_600

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    package func list(_ number: String, by actor: Actor) async throws -> [InquiryRow] {
        let complaint = try await ComplaintService(services: services, db: db).visible(number, to: actor, for: .viewComplaints)
        return try await InquiryStore.list(complaintID: try complaint.requireID(), on: db)
    }

    /// The open questions for the actor's unit (and, below HQ, the units under it), soonest due first.
    package func waiting(for actor: Actor, limit: Int = 50) async throws -> [InquiryRow] {
        guard actor.may(.workComplaints) else { return [] }
        return try await InquiryStore.open(forUnitPath: actor.unitPath.rawValue, subtree: actor.unitPath.depth > 1,
                                           limit: limit, on: db)
    }

    package func ask(_ number: String, unitCode: String, question: String, dueAt: Date?, by actor: Actor) async throws
        -> InquiryRow
    {
        try actor.require(.workComplaints)
        let complaints = ComplaintService(services: services, db: db)
        let complaint = try await complaints.visible(number, to: actor, for: .workComplaints)
        guard complaint.status != ComplaintStatus.closed.rawValue else {
            throw KesuError.conflict("Complaint \(complaint.number) is closed; reopen it to investigate further.")
        }
        guard let text = try ComplaintService.checkNote(question, required: true) else {
            throw KesuError.refused("Ask a question.", fields: ["question": ["empty"]])
        }
        guard let unit = try await OrgUnitModel.query(on: db).filter(\.$code == unitCode.trimmed).first() else {
            throw KesuError.refused("No unit \(unitCode.prefix(40)).", fields: ["unit": ["unknown unit"]])
        }
        guard unit.kind != UnitKind.courier.rawValue else {
            throw KesuError.refused("Ask the courier's outlet; couriers answer through it.", fields: ["unit": ["courier"]])
        }
        let now = services.now()
        let due = (dueAt ?? now.addingTimeInterval(Self.standardSpan)).roundedToMillis
        guard due > now else {
            throw KesuError.refused("The answer must be due in the future.", fields: ["dueAt": ["in the past"]])
        }
        guard due.timeIntervalSince(now) <= Self.longest else {
            throw KesuError.refused("An investigation may be given at most 14 days.", fields: ["dueAt": ["too far ahead"]])
        }
        let id = try complaint.requireID()
        let unitID = try unit.requireID()
        let settings = try await services.clockSettings(on: db)
        let warnFraction = settings.rule(for: complaint).policy.warnFraction
        let clock = StoredClock(id: services.ids.next(), complaintID: id,
                                clock: .inquiry(askedAt: now, due: due, warnFraction: warnFraction),
                                warnActions: [.notify], breachActions: [.notify], policyID: nil,
                                note: "\(unit.name)：\(text.prefix(200))")
        let row = InquiryRow(id: services.ids.next(), complaintID: id, clockID: clock.id, askedUnitID: unitID,
                             askedUnitPath: unit.path, question: text, askedBy: actor.userID, askedByName: actor.displayName,
                             askedAt: now, dueAt: due)
        let stamp = ClockScheduler.stamp(due, services.config.timeZone)
        let event = complaints.event(id, actor, "inquiry_sent", visible: false,
                                     note: "请\(unit.name)在 \(stamp) 前答复：\(text)",
                                     after: ["inquiry": row.id.uuidString, "unit": unit.code, "unitName": unit.name,
                                             "dueAt": String(due.millis), "text": text], at: now)
        let people = try await UserModel.query(on: db).filter(\.$unit.$id == unitID).filter(\.$active == true).all()
        let subject = Subject.owned(by: unit.path, complaintID: id)
        let notes = try people.filter { user in
            guard let role = Role(rawValue: user.role), let userID = user.id else { return false }
            let principal = Principal.staff(StaffIdentity(userID: userID, role: role, unitPath: UnitPath(rawValue: unit.path)))
            return AccessPolicy.allows(principal, .workComplaints, on: subject)
        }.map { user in
            NotificationRow(id: services.ids.next(), userID: try user.requireID(), complaintID: id, kind: "inquiry",
                            params: ["number": complaint.number, "due": String(due.millis), "question": String(text.prefix(80))],
                            createdAt: now)
        }
        try await services.writer.write(on: db) { tx in
            let clocks = try await ClockStore.clocks(of: id, forUpdate: true, on: tx) + [clock]
            try await InquiryStore.insert(row, on: tx)
            try await ClockStore.insert([clock], on: tx)
            try await ClockStore.setDue(complaintID: id, nearest: ClockBook.nearest(clocks), on: tx)
            try await ComplaintStore.append([event], on: tx)
            try await Outbox.notify(notes, services: services, on: tx)
            try await ComplaintModel.query(on: tx).filter(\.$id == id).set(\.$updatedAt, to: now).update()
        }
        var stored = row
        stored.askedUnitName = unit.name
        stored.askedUnitCode = unit.code
        stored.complaintNumber = complaint.number
        return stored
    }

    /// Answers an open question, by someone of the asked unit (or a unit above it); the files join the evidence.
    package func answer(_ number: String, _ inquiryID: UUID, text answer: String, files: [EvidenceFile] = [], by actor: Actor)
        async throws -> [InquiryRow]
    {
        try actor.require(.workComplaints)
        let complaints = ComplaintService(services: services, db: db)
        let complaint = try await complaints.visible(number, to: actor, for: .viewComplaints)
        let id = try complaint.requireID()
        guard let inquiry = try await InquiryStore.list(complaintID: id, on: db).first(where: { $0.id == inquiryID }) else {
            throw KesuError.notFound("No investigation \(inquiryID) on complaint \(complaint.number).")
        }
        try actor.require(.workComplaints, on: .owned(by: inquiry.askedUnitPath, complaintID: id))
        guard inquiry.state == "open" else { throw KesuError.conflict("The question has been answered already.") }
        guard let text = try ComplaintService.checkNote(answer, required: true) else {
            throw KesuError.refused("Write the answer.", fields: ["answer": ["empty"]])
        }
        guard files.count <= 5 else { throw KesuError.invalid("At most 5 files with an answer.", fields: ["files": ["too many"]]) }
        let prepared = try files.map {
            try EvidenceService.prepare($0, complaintID: id, by: actor.displayName, actorID: actor.userID,
                                        visible: false, inquiryID: inquiryID, services: services)
        }
        let now = services.now()
        let event = complaints.event(id, actor, "inquiry_answered", visible: false,
                                     note: "\(inquiry.askedUnitName ?? "")答复：\(text)" + (files.isEmpty ? "" : "（附 \(files.count) 个文件）"),
                                     after: ["inquiry": inquiryID.uuidString, "unitName": inquiry.askedUnitName ?? "",
                                             "text": text, "files": files.isEmpty ? "" : String(files.count)], at: now)
        let note = NotificationRow(id: services.ids.next(), userID: inquiry.askedBy, complaintID: id, kind: "inquiry_answered",
                                   params: ["number": complaint.number, "unit": inquiry.askedUnitName ?? "",
                                            "answer": String(text.prefix(80))],
                                   createdAt: now)
        try await services.writer.write(on: db) { tx in
            guard try await InquiryStore.answer(inquiryID, complaintID: id, text: text, by: actor.displayName, at: now, on: tx)
            else { throw KesuError.conflict("The question has been answered already.") }
            var clocks = try await ClockStore.clocks(of: id, forUpdate: true, on: tx)
            if let i = ClockBook.meet(&clocks, id: inquiry.clockID, at: now) { try await ClockStore.update(clocks[i], on: tx) }
            try await ClockStore.setDue(complaintID: id, nearest: ClockBook.nearest(clocks), on: tx)
            for (attachment, _) in prepared { try await attachment.create(on: tx) }
            try await ComplaintStore.append([event] + prepared.map(\.1), on: tx)
            try await Outbox.notify([note], services: services, on: tx)
            try await ComplaintModel.query(on: tx).filter(\.$id == id).set(\.$updatedAt, to: now).update()
        }
        return try await InquiryStore.list(complaintID: id, on: db)
    }
}
