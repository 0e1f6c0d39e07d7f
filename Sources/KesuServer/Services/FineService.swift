import Fluent
import Foundation
import KesuCore
import KesuStore

/// What HQ or a region issues: a fine on an outlet or courier, for a complaint or a problem parcel, citing a rule.
package struct FineDraft: Sendable {
    package var unit: String
    package var rule: String
    package var quantity: Int
    package var reason: String
    package var complaint: String?
    package var parcel: UUID?
    package var evidence: [FineEvidenceFile]

    package init(unit: String, rule: String, quantity: Int = 1, reason: String, complaint: String? = nil, parcel: UUID? = nil,
                 evidence: [FineEvidenceFile] = []) {
        self.unit = unit
        self.rule = rule
        self.quantity = quantity
        self.reason = reason
        self.complaint = complaint
        self.parcel = parcel
        self.evidence = evidence
    }
}

/// An evidence file with its kind: a tracking scan, a call record, a photo, a chat screenshot.
package struct FineEvidenceFile: Sendable {
    package var kind: String
    package var file: EvidenceFile

    package init(kind: String, file: EvidenceFile) {
        self.kind = kind
        self.file = file
    }
}

/// 考核与申诉 — fines issued citing the catalogue, appealed by the fined unit with evidence within the window, reviewed
/// by HQ quality (never the issuer) within theirs, one second review by another person; every window a clock on the
/// fine, fired once by the scheduler (``FineClockHandler``).
package struct FineService {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    static let clockKind = "fine"
    static let evidenceKinds = ["scan", "call_record", "photo", "chat", "other"]
    static let maxEvidence = 10

    // MARK: Issuing

    package func issue(_ draft: FineDraft, by actor: Actor) async throws -> FineRow {
        try actor.require(.issueFines)
        var problems = ValidationProblems()
        let reason = draft.reason.trimmed
        if draft.reason.length > 500 { problems.add("reason", "must be 2 to 500 characters") } else if reason.length < 2 {
            problems.refuse("reason", "must be 2 to 500 characters")
        }
        Self.check(draft.evidence, into: &problems)
        let rules = try await FineStore.rules(on: db)
        let rule = rules.first { $0.rule.code == draft.rule && $0.rule.active && $0.rule.kind == .fine }
        if rule == nil { problems.refuse("rule", "is not a fine rule of the catalogue") }
        var amount = 0
        if let rule {
            do { amount = try rule.rule.amount(quantity: draft.quantity, among: rules.map(\.rule)) } catch {
                problems.add("quantity", "must be 1 to 1,000")
            }
        }
        let unit = try await OrgStore.find(code: draft.unit.trimmed, on: db)
        let fineable: Set<String> = [UnitKind.outlet.rawValue, UnitKind.transferCentre.rawValue, UnitKind.courier.rawValue]
        if unit == nil || !fineable.contains(unit?.kind ?? "") { problems.refuse("unit", "is not an outlet or courier") }
        let (complaintID, parcel) = try await subject(of: draft, into: &problems)
        if rule?.rule.needsNeglect == true, parcel?.neglected != true {
            problems.refuse("rule", "needs a problem parcel a complaint found neglected")
        }
        if let parcel, let unit, !parcel.ownerPath.hasPrefix(unit.path) {
            problems.refuse("parcel", "is not the fined unit's")
        }
        try problems.throwIfAny("The fine cannot be issued.")
        guard let unit, let rule else { throw KesuError.invalid("The fine cannot be issued.") }
        // Issued from above: HQ on anyone, a region on its outlets and their couriers, never one's own unit.
        try actor.require(.issueFines, on: .owned(by: unit.path))
        guard actor.unitPath.rawValue != unit.path else { throw KesuError.forbidden("A unit does not fine itself.") }
        let outletID = unit.kind == UnitKind.courier.rawValue ? unit.parentID : unit.id
        guard let outletID else { throw KesuError.notFound("The courier's outlet is missing.") }
        let now = services.now()
        let windows = try await FineSettings.windows(on: db)
        let calendar = try await services.clockSettings(on: db).calendar
        var fine = Fine(issuerID: actor.userID, issuedAt: now, amountFen: amount, windows: windows, calendar: calendar)
        // A fine arising from a blacklisted customer's complaint goes to review at once, suspended until decided.
        let customerID = try await complaintID.asyncMap { try await ComplaintModel.find($0, on: db)?.$customer.id }
        let held = try await customerID.asyncMap { try await CustomerReviewStore.isListed($0, at: now, on: db) } ?? false
        if held { try fine.holdForReview(at: now, calendar: calendar) }
        var draftRow = FineRow(
            id: services.ids.next(), number: "", unitID: try unit.requireID(), outletID: outletID, ownerPath: unit.path,
            ruleCode: rule.rule.code, quantity: draft.quantity, amountFen: amount, reason: reason, complaintID: complaintID,
            parcelID: parcel?.id, issuedByID: actor.userID, issuedByName: actor.displayName,
            issuerPath: actor.unitPath.rawValue, issuedAt: now, deadline: fine.deadline)
        draftRow.apply(fine, at: now)
        draftRow.unitName = unit.name
        draftRow.unitCode = unit.code
        let entry = FineEntry(id: services.ids.next(), fineID: draftRow.id, at: now, byID: actor.userID, byName: actor.displayName,
                              kind: "issued", amountFen: amount, note: reason)
        let heldEntry = held ? [FineEntry(id: services.ids.next(), fineID: draftRow.id, at: now, byID: nil, byName: "Kesu",
                                          kind: "held", note: nil)] : []
        let evidence = try prepare(draft.evidence, fineID: draftRow.id, entryID: entry.id, by: actor, at: now)
        let day = Self.day(now, in: services.config.timeZone)
        let ownerPath = unit.path
        let firstWindow = fine.window ?? .appeal, firstDeadline = fine.deadline
        let newRow = draftRow
        try await services.writer.write(on: db) { tx in
            var row = newRow
            let sequence = try await NumberSequence.reserve(day: "KH" + day, on: tx)
            row.number = "KH\(day)" + String(format: "%04d", sequence)
            try await FineStore.insert([row], on: tx)
            try await FineStore.insert([entry] + heldEntry, on: tx)
            try await FineStore.insert(evidence, on: tx)
            try await Self.start(firstWindow, of: row.id, at: now, due: firstDeadline, ids: services.ids, on: tx)
            try await FineNotices.tellFined(ownerPath, kind: "fine_issued", fine: row, services: services, on: tx)
            if held { try await FineNotices.tellReviewers(kind: "fine_appealed", fine: row, services: services, on: tx) }
        }
        guard let stored = try await FineStore.find(draftRow.id, on: db) else { throw KesuError.notFound("No such fine.") }
        return stored
    }

    /// The complaint (one the actor may see) and problem parcel a fine is for; a complaint linked to a parcel brings it.
    private func subject(of draft: FineDraft, into problems: inout ValidationProblems) async throws
        -> (UUID?, ProblemParcelRow?)
    {
        var complaintID: UUID?
        var parcel: ProblemParcelRow?
        if let id = draft.parcel {
            parcel = try await ProblemParcelStore.find(id, on: db)
            if parcel == nil { problems.refuse("parcel", "is not a problem parcel") }
        }
        if let number = draft.complaint?.trimmed, !number.isEmpty {
            let complaint = try await ComplaintModel.query(on: db).filter(\.$number == number).first()
            complaintID = complaint?.id
            if complaintID == nil { problems.refuse("complaint", "is not a complaint") }
            if parcel == nil, let complaintID {
                parcel = try await ProblemParcelStore.linked(to: complaintID, on: db)
            }
        }
        if complaintID == nil && parcel == nil && problems.fields["complaint"] == nil && problems.fields["parcel"] == nil {
            problems.refuse("complaint", "name the complaint or problem parcel the fine is for")
        }
        return (complaintID ?? parcel?.complaintID, parcel)
    }

    static func check(_ evidence: [FineEvidenceFile], into problems: inout ValidationProblems) {
        if evidence.count > maxEvidence { problems.add("evidenceFiles", "at most 10 files") }
        if evidence.contains(where: { !evidenceKinds.contains($0.kind) }) { problems.add("evidenceKind", "is not a kind of evidence") }
        if evidence.contains(where: { $0.file.bytes.isEmpty }) { problems.refuse("evidenceFiles", "a file is empty") }
        if evidence.contains(where: { $0.file.bytes.count > FileKind.maxBytes }) { problems.add("evidenceFiles", "a file is over 20 MB") }
    }

    func prepare(_ files: [FineEvidenceFile], fineID: UUID, entryID: UUID, by actor: Actor, at now: Date) throws
        -> [FineEvidenceRow]
    {
        files.map {
            FineEvidenceRow(id: services.ids.next(), fineID: fineID, entryID: entryID, kind: $0.kind,
                            fileName: FileKind.cleanName($0.file.name),
                            contentType: FileKind.contentType(of: Array($0.file.bytes.prefix(16))), size: $0.file.bytes.count,
                            uploadedBy: actor.displayName, createdAt: now, data: $0.file.bytes)
        }
    }

    static func day(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    // MARK: Reading

    /// A fine the actor may see: 404 for none, 403 for another unit's.
    package func fine(_ id: UUID, for actor: Actor, to permission: Permission = .viewFines) async throws -> FineRow {
        try actor.require(permission)
        guard let row = try await FineStore.find(id, on: db) else { throw KesuError.notFound("No such fine.") }
        // The issuer's unit and the fined unit's see it; so does everyone above either.
        if permission == .viewFines, actor.may(.viewFines, on: .owned(by: row.issuerPath)) { return row }
        try actor.require(permission, on: .owned(by: row.ownerPath))
        return row
    }

    package func list(_ state: FineListState, month: Range<Date>? = nil, limit: Int = 100, for actor: Actor) async throws
        -> [FineRow]
    {
        try actor.require(.viewFines)
        return try await FineStore.list(state, scope: AccessPolicy.scope(of: actor.principal), issued: month,
                                        limit: min(max(limit, 1), 200), on: db)
    }

    // MARK: The fined unit's side

    package func appeal(_ id: UUID, statement: String, evidence: [FineEvidenceFile], by actor: Actor) async throws -> FineRow {
        try await byFined(id, kind: "appealed", statement: statement, evidence: evidence, refusal: "The appeal cannot be sent.",
                          by: actor) { fine, row, now, calendar in
            try fine.appeal(at: now, evidence: evidence.count, calendar: calendar)
            row.appealedAt = now
        }
    }

    package func askSecondReview(_ id: UUID, statement: String, evidence: [FineEvidenceFile], by actor: Actor) async throws
        -> FineRow
    {
        try await byFined(id, kind: "second_review_asked", statement: statement, evidence: evidence,
                          refusal: "The second review cannot be asked.", by: actor) { fine, _, now, calendar in
            try fine.askSecondReview(at: now, calendar: calendar)
        }
    }

    /// The fined unit's statement with evidence, checked, then `step` in one change.
    private func byFined(_ id: UUID, kind: String, statement: String, evidence: [FineEvidenceFile], refusal: String,
                         by actor: Actor,
                         _ step: @escaping @Sendable (inout Fine, inout FineRow, Date, BusinessCalendar) throws -> Void)
        async throws -> FineRow
    {
        _ = try await fine(id, for: actor, to: .appealFines)
        var problems = ValidationProblems()
        let text = try Self.statement(statement, into: &problems)
        Self.check(evidence, into: &problems)
        try problems.throwIfAny(refusal)
        return try await change(id, kind: kind, note: text, evidence: evidence, by: actor, step)
    }

    package func accept(_ id: UUID, by actor: Actor) async throws -> FineRow {
        _ = try await fine(id, for: actor, to: .appealFines)
        return try await change(id, kind: "accepted", note: nil, evidence: [], by: actor) { fine, _, _, _ in try fine.accept() }
    }

    static func statement(_ text: String, into problems: inout ValidationProblems) throws -> String {
        let trimmed = text.trimmed
        if text.length > 2_000 { problems.add("statement", "must be 2 to 2,000 characters") } else if trimmed.length < 2 {
            problems.refuse("statement", "must be 2 to 2,000 characters")
        }
        return trimmed
    }

    // MARK: The reviewer's side

    package func decide(_ id: UUID, _ decision: String, amountFen: Int?, reason: String, by actor: Actor) async throws -> FineRow {
        let row = try await fine(id, for: actor, to: .reviewFines)
        guard actor.unitPath.depth <= 1 else { throw KesuError.forbidden("Appeals are reviewed by HQ quality.") }
        var problems = ValidationProblems()
        let decision = FineDecision(rawValue: decision)
        if decision == nil { problems.add("decision", "is not a decision") }
        let text = reason.trimmed
        if reason.length > 500 { problems.add("reason", "must be 2 to 500 characters") } else if text.length < 2 {
            problems.refuse("reason", "must be 2 to 500 characters")
        }
        try problems.throwIfAny("The decision cannot be recorded.")
        guard let decision else { throw KesuError.invalid("Choose a decision.") }
        let kind = row.status == .secondReview ? "second_decided" : "decided"
        return try await change(id, kind: kind, note: text, evidence: [], by: actor, decision: decision) { fine, _, now, calendar in
            try fine.decide(decision, newFen: amountFen, by: actor.userID, at: now, calendar: calendar)
        }
    }

    // MARK: One change, in one transaction

    /// Holds the fine, applies `step` to its rules, writes the row, the timeline entry and evidence, meets the clock of
    /// the window it left, starts the next, and tells the other side.
    private func change(_ id: UUID, kind: String, note: String?, evidence: [FineEvidenceFile], by actor: Actor,
                        decision: FineDecision? = nil,
                        _ step: @escaping @Sendable (inout Fine, inout FineRow, Date, BusinessCalendar) throws -> Void)
        async throws -> FineRow
    {
        let windows = try await FineSettings.windows(on: db)
        let calendar = try await services.clockSettings(on: db).calendar
        let now = services.now()
        let entryID = services.ids.next()
        let files = try prepare(evidence, fineID: id, entryID: entryID, by: actor, at: now)
        try await services.writer.write(on: db) { tx in
            try await RowLock.fine(id, on: tx)
            guard var row = try await FineStore.find(id, on: tx) else { throw KesuError.notFound("No such fine.") }
            var fine = row.rule(windows: windows)
            try step(&fine, &row, now, calendar)
            row.apply(fine, at: now)
            try await FineStore.update(row, on: tx)
            try await FineStore.insert([FineEntry(
                id: entryID, fineID: id, at: now, byID: actor.userID, byName: actor.displayName, kind: kind,
                decision: decision?.rawValue, amountFen: decision == nil ? nil : fine.dueFen, note: note)], on: tx)
            try await FineStore.insert(files, on: tx)
            try await Self.stopClocks(of: id, at: now, on: tx)
            if let window = fine.window, fine.deadline != nil {
                try await Self.start(window, of: id, at: now, due: fine.deadline, ids: services.ids, on: tx)
            }
            if decision != nil {
                try await FineNotices.tellFined(row.ownerPath, kind: "fine_decided", fine: row, services: services, on: tx)
            } else if fine.status == .appealed || fine.status == .secondReview {
                try await FineNotices.tellReviewers(kind: "fine_appealed", fine: row, services: services, on: tx)
            }
        }
        return try await FineStore.find(id, on: db) ?? { throw KesuError.notFound("No such fine.") }()
    }

    /// Starts the clock of `window`, due at `due`, on the fine `id`.
    static func start(_ window: FineWindow, of id: UUID, at now: Date, due: Date?, ids: IDGenerator, on tx: any Database)
        async throws
    {
        guard let due else { return }
        try await ClockStore.insert([StoredClock(
            id: ids.next(), subject: ClockSubject(kind: clockKind, id: id), complaintID: nil,
            clock: .fixed(.deadline, madeAt: now, due: due, warnFraction: 2.0 / 3.0), warnActions: [.notify],
            breachActions: [.notify], policyID: nil, note: window.rawValue)], on: tx)
    }

    static func stopClocks(of id: UUID, at now: Date, on tx: any Database) async throws {
        var clocks = try await ClockStore.clocks(of: ClockSubject(kind: clockKind, id: id), forUpdate: true, on: tx)
        for i in clocks.indices where clocks[i].clock.metAt == nil {
            clocks[i].clock.meet(at: now)
            try await ClockStore.update(clocks[i], on: tx)
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

extension FineRow {
    /// The rules' view of the stored fine.
    func rule(windows: FineWindows) -> Fine {
        Fine(status: status, issuerID: issuedByID, issuedAt: issuedAt, originalFen: originalFen, dueFen: dueFen,
             firstReviewerID: firstReviewerID, decision: decision, window: window, deadline: deadline, suspended: suspended,
             windows: windows)
    }

    /// Takes what the rules changed.
    mutating func apply(_ fine: Fine, at now: Date) {
        if fine.status == .final && status != .final { finalAt = now }
        if !fine.suspended { overdueAt = nil }
        status = fine.status
        dueFen = fine.dueFen
        firstReviewerID = fine.firstReviewerID
        decision = fine.decision
        window = fine.window
        deadline = fine.deadline
        suspended = fine.suspended
    }
}
