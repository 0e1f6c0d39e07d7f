import Fluent
import Foundation
import KesuCore
import KesuStore
import SQLKit
import Vapor

/// After closing: the root-cause list (根因), rectification actions (整改) carried out by their unit and verified by
/// someone else, and typical cases (典型案例) kept to teach staff.
package struct ClosureService: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    // MARK: Root causes

    package func rootCauses(activeOnly: Bool) async throws -> [RootCauseRow] {
        try await RootCauseStore.list(activeOnly: activeOnly, on: db)
    }

    /// Adds a root cause, or changes the one with this code (name, systemic, active).
    package func saveRootCause(code: String?, name: String, systemic: Bool, active: Bool, by actor: Actor) async throws
        -> RootCauseRow
    {
        try actor.require(.manageRootCauses)
        let cleanName = name.trimmed
        guard name.length <= 60 else {
            throw KesuError.invalid("A root cause needs a name of at most 60 characters.", fields: ["name": ["1 to 60"]])
        }
        guard !cleanName.isEmpty else {
            throw KesuError.refused("A root cause needs a name of at most 60 characters.", fields: ["name": ["empty"]])
        }
        let all = try await RootCauseStore.list(activeOnly: false, on: db)
        let given = code?.trimmed ?? ""
        if let existing = all.first(where: { $0.code == given }) {
            if all.contains(where: { $0.name == cleanName && $0.code != existing.code }) {
                throw KesuError.conflict("Another root cause is called \(cleanName).")
            }
            let row = RootCauseRow(code: existing.code, name: cleanName, systemic: systemic, active: active,
                                   sortOrder: existing.sortOrder)
            try await services.writer.write(on: db) { tx in try await RootCauseStore.update(row, on: tx) }
            return row
        }
        guard given.isEmpty || given.range(of: "^[a-z0-9_]{1,40}$", options: .regularExpression) != nil else {
            throw KesuError.refused("A code is 1 to 40 lower-case letters, digits or _.", fields: ["code": ["format"]])
        }
        if all.contains(where: { $0.name == cleanName }) {
            throw KesuError.conflict("There is a root cause called \(cleanName) already.")
        }
        // A generated code is 64 random bits, never the time-ordered head of an ID (which repeats for a minute);
        // a real duplicate (a given code, or two requests racing) is refused as a conflict by the unique index.
        var generated: String {
            var rng = SystemRandomNumberGenerator()
            return "c" + String(rng.next(), radix: 16)
        }
        let row = RootCauseRow(code: given.isEmpty ? generated : given,
                               name: cleanName, systemic: systemic, active: active,
                               sortOrder: (all.map(\.sortOrder).max() ?? 0) + 1)
        try await services.writer.write(on: db) { tx in try await RootCauseStore.insert(row, on: tx) }
        return row
    }

    // MARK: Rectifications

    /// Open and done (not yet verified) actions the actor's unit can see, soonest due first; with `all`, verified too.
    package func rectifications(for actor: Actor, includeVerified: Bool = false, limit: Int = 200) async throws
        -> [RectificationRow]
    {
        try actor.require(.viewComplaints)
        return try await RectificationStore.list(states: includeVerified ? ["open", "done", "verified"] : ["open", "done"],
                                                 within: AccessPolicy.scope(of: actor.principal), limit: limit, on: db)
    }

    package func rectifications(of number: String, by actor: Actor) async throws -> [RectificationRow] {
        let complaint = try await ComplaintService(services: services, db: db).visible(number, to: actor, for: .viewComplaints)
        return try await RectificationStore.list(complaintID: try complaint.requireID(), on: db)
    }

    /// The owning unit reports the action carried out.
    package func markDone(_ id: UUID, note: String, by actor: Actor) async throws -> RectificationRow {
        let row = try await visibleRectification(id, to: actor, for: .workComplaints)
        guard let text = try ComplaintService.checkNote(note, required: true) else {
            throw KesuError.refused("Say what was done.", fields: ["note": ["empty"]])
        }
        let now = services.now()
        let event = ComplaintService(services: services, db: db).event(
            row.complaintID, actor, "rectification_done", visible: false, note: "整改完成：\(text)",
            after: ["rectification": id.uuidString, "text": text], at: now)
        try await services.writer.write(on: db) { tx in
            guard try await RectificationStore.move(id, from: "open", to: "done", set: [
                ("done_note", text), ("done_by", actor.userID), ("done_by_name", actor.displayName), ("done_at", now),
            ], on: tx) else { throw KesuError.conflict("The rectification is not open.") }
            try await ComplaintStore.append([event], on: tx)
        }
        return try await visibleRectification(id, to: actor)
    }

    /// A supervisor or quality officer — never the one who did it — confirms the action was carried out, or sends it
    /// back to open with a reason.
    package func verify(_ id: UUID, accepted: Bool, note: String?, by actor: Actor) async throws -> RectificationRow {
        let row = try await visibleRectification(id, to: actor, for: .verifyRectifications)
        guard row.doneBy != actor.userID else {
            throw KesuError.forbidden("Someone other than who carried out the rectification verifies it.")
        }
        let text = try note.flatMap { try ComplaintService.checkNote($0, required: false) }
        if !accepted, text == nil { throw KesuError.refused("Say why it is sent back.", fields: ["note": ["empty"]]) }
        let now = services.now()
        let event = ComplaintService(services: services, db: db).event(
            row.complaintID, actor, accepted ? "rectification_verified" : "rectification_returned", visible: false,
            note: (accepted ? "整改已验证" : "整改退回") + (text.map { "：\($0)" } ?? ""),
            after: ["rectification": id.uuidString], at: now)
        try await services.writer.write(on: db) { tx in
            let moved = accepted
                ? try await RectificationStore.move(id, from: "done", to: "verified", set: [
                    ("verified_by_name", actor.displayName), ("verified_at", now)], on: tx)
                : try await RectificationStore.move(id, from: "done", to: "open", set: [
                    ("done_note", "退回：\(text ?? "")")], on: tx)
            guard moved else { throw KesuError.conflict("Only a rectification reported done can be verified.") }
            try await ComplaintStore.append([event], on: tx)
        }
        return try await visibleRectification(id, to: actor)
    }

    func visibleRectification(_ id: UUID, to actor: Actor, for permission: Permission = .viewComplaints) async throws
        -> RectificationRow
    {
        try actor.require(permission)
        guard let row = try await RectificationStore.find(id, on: db) else {
            throw KesuError.notFound("No rectification \(id).")
        }
        try actor.require(permission, on: .owned(by: row.ownerUnitPath, complaintID: row.complaintID))
        return row
    }

    // MARK: Typical cases

    package func typicalCases(category: ComplaintCategory?, by actor: Actor, limit: Int = 100) async throws
        -> [TypicalCaseRow]
    {
        try actor.require(.viewComplaints)
        return try await TypicalCaseStore.list(category: category?.rawValue, limit: limit, on: db)
    }

    /// Marks a closed complaint as a typical case with its lesson (or changes the lesson).
    package func markTypical(_ number: String, lesson: String, by actor: Actor) async throws {
        let complaints = ComplaintService(services: services, db: db)
        let complaint = try await complaints.visible(number, to: actor, for: .markTypicalCases)
        guard complaint.status == ComplaintStatus.closed.rawValue else {
            throw KesuError.conflict("Only a closed complaint can be a typical case.")
        }
        let text = lesson.trimmed
        guard lesson.length <= 1_000 else {
            throw KesuError.invalid("Write the lesson in at most 1,000 characters.", fields: ["lesson": ["1 to 1000"]])
        }
        guard !text.isEmpty else {
            throw KesuError.refused("Write the lesson in at most 1,000 characters.", fields: ["lesson": ["empty"]])
        }
        let id = try complaint.requireID()
        let now = services.now()
        let event = complaints.event(id, actor, "typical_case", visible: false, note: "列为典型案例：\(text)",
                                     after: ["text": text], at: now)
        try await services.writer.write(on: db) { tx in
            try await TypicalCaseStore.upsert(complaintID: id, category: complaint.category ?? "other", lesson: text,
                                              by: actor.displayName, at: now, on: tx)
            try await ComplaintStore.append([event], on: tx)
        }
    }

    package func unmarkTypical(_ number: String, by actor: Actor) async throws {
        let complaints = ComplaintService(services: services, db: db)
        let complaint = try await complaints.visible(number, to: actor, for: .markTypicalCases)
        let id = try complaint.requireID()
        let event = complaints.event(id, actor, "typical_case_removed", visible: false, note: "移出典型案例",
                                     at: services.now())
        try await services.writer.write(on: db) { tx in
            guard try await TypicalCaseStore.remove(complaintID: id, on: tx) else {
                throw KesuError.notFound("Complaint \(complaint.number) is not a typical case.")
            }
            try await ComplaintStore.append([event], on: tx)
        }
    }
}
