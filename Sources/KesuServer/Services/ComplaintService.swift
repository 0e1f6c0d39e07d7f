import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// The complaint workflows: record, list, read, move along the lifecycle, change, annotate. Each request is one
/// transaction; KesuCore decides, KesuStore persists.
package struct ComplaintService: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    // MARK: Intake

    /// Records a complaint, or returns the one an earlier request with the same idempotency key recorded.
    /// `alongside` writes what a channel keeps with a new complaint (its files, its message's id) in the same
    /// transaction, so both are stored or neither.
    package func record(_ draft: ComplaintDraft, idempotencyKey: String?, by actor: Actor,
                        alongside: (@Sendable (ComplaintModel, any Database) async throws -> Void)? = nil) async throws
        -> ComplaintModel
    {
        try actor.require(.recordComplaint)
        let intake = try await Self.namingCategory(of: draft, on: db).validate(now: services.clock.now())
        let key = try idempotencyKey.map(Self.checkKey)
        let fingerprint = Self.fingerprint(intake, givenReceivedAt: draft.receivedAt)
        // Reads first, outside the one writer: SQLite serves them beside it, so the write transaction holds only
        // what must be atomic. The key is checked again inside, for a retry racing its original.
        if let key, let id = try await earlier(key: key, fingerprint: fingerprint, actor: actor, on: db) {
            return try await load(id: id)
        }
        let known = try await lookUp(intake)
        do {
            let outcome = try await services.writer.write(on: db) { tx -> Recorded in
                if let key, let earlier = try await self.earlier(key: key, fingerprint: fingerprint, actor: actor, on: tx) {
                    return .earlier(earlier)
                }
                let complaint = try await self.insert(intake, known: known, actor: actor, on: tx)
                let id = try complaint.requireID()
                try await alongside?(complaint, tx)
                // 已受理: the number and a private link, on the customer's channel (nothing when they have none),
                // answering the message the channel kept alongside.
                try await ComplaintStore.append(try await CustomerNotices.queue(
                    .received, values: [:], link: true, key: id.uuidString, complaint: complaint,
                    customer: complaint.customer, services: self.services, on: tx), on: tx)
                if let key {
                    let record = IdempotencyKeyModel()
                    record.id = self.services.ids.next()
                    record.userID = actor.userID
                    record.key = key
                    record.fingerprint = fingerprint
                    record.complaintID = id
                    record.createdAt = self.services.now()
                    try await record.create(on: tx)
                }
                return .new(complaint)
            }
            switch outcome {
            case .new(let complaint): return complaint
            case .earlier(let id): return try await load(id: id)
            }
        } catch let error as KesuError {
            throw error
        } catch {
            // A concurrent request with the same key won the race: answer with its complaint.
            if let key, let id = try await earlier(key: key, fingerprint: fingerprint, actor: actor, on: db) {
                return try await load(id: id)
            }
            throw error
        }
    }

    private func earlier(key: String, fingerprint: String, actor: Actor, on db: any Database) async throws -> UUID? {
        guard let found = try await IdempotencyKeyModel.query(on: db)
            .filter(\.$userID == actor.userID).filter(\.$key == key).first()
        else { return nil }
        guard found.fingerprint == fingerprint else {
            throw KesuError.conflict("This Idempotency-Key was already used for a different complaint.")
        }
        return found.complaintID
    }

    /// What an intake transaction did: recorded a complaint (returned with its relations), or found the one an
    /// earlier request with the same idempotency key recorded.
    private enum Recorded: Sendable {
        case new(ComplaintModel)
        case earlier(UUID)
    }

    /// What intake reads before it writes: the customer if known, whether this is a repeat, the shipments, and
    /// where the complaint goes.
    private struct KnownFacts: Sendable {
        var customer: CustomerModel?
        var isRepeat: Bool
        var itemKinds: [String]
        var outlet: OrgUnitModel?
        var scopePath: String
        var clockSettings: ClockSettings
        /// Open problem parcels of its waybills, which the complaint links to.
        var problemParcels: [ProblemParcelLink] = []
        /// The classifier's answer when no category was given.
        var triage: TriageSuggestion?
        /// The category and sub-category to record: given, or suggested.
        var category: ComplaintCategory?
        var subcategory: String?
    }

    /// A sub-category given without its category names the category (each sub-category belongs to one), the same
    /// for every channel — the pages, the API, and whatever records complaints next. An unknown one is refused.
    static func namingCategory(of draft: ComplaintDraft, on db: any Database) async throws -> ComplaintDraft {
        guard draft.category == nil, let code = draft.subcategory?.trimmed, !code.isEmpty else { return draft }
        var named = draft
        guard let found = try await SubcategoryModel.query(on: db).filter(\.$code == code).first(), found.active,
              let category = ComplaintCategory(rawValue: found.category)
        else { throw KesuError.refused("No sub-category \(code.prefix(40)).", fields: ["subcategory": ["unknown"]]) }
        named.category = category
        return named
    }

    private func lookUp(_ intake: ValidIntake) async throws -> KnownFacts {
        if let code = intake.subcategory {
            try await SubcategoryStore.check(code, under: intake.category?.rawValue, on: db)
        }
        let customer = try await CustomerModel.query(on: db).filter(\.$phone == intake.phone.digits).first()
        let isRepeat = try await ComplaintStore.hasPrior(
            customerID: customer?.id, waybills: intake.waybillNumbers,
            since: RepeatRule.windowStart(before: intake.receivedAt), on: db)
        let shipments = intake.waybillNumbers.isEmpty ? [] : try await ShipmentModel.query(on: db)
            .filter(\.$waybill ~~ intake.waybillNumbers).all()
        let problemParcels = try await ProblemParcelLink.open(waybills: intake.waybillNumbers, on: db)
        let suggestion = try await triage(intake, shipments: shipments, problemParcel: !problemParcels.isEmpty)
        let category = intake.category ?? suggestion?.category
        var subcategory = intake.subcategory
        if intake.category == nil, let category, let code = suggestion?.subcategory,
           (suggestion?.subcategoryConfidence ?? 0) >= 0.5,
           (try? await SubcategoryStore.check(code, under: category.rawValue, on: db)) != nil {
            subcategory = code
        }
        let outlet = try await routeOutlet(for: category, shipments: shipments, on: db)
        let scopePath: String
        if let outlet { scopePath = outlet.path } else { scopePath = try await OrgStore.rootPath(on: db) }
        return KnownFacts(customer: customer, isRepeat: isRepeat, itemKinds: shipments.map(\.itemKind), outlet: outlet,
                          scopePath: scopePath, clockSettings: try await services.clockSettings(on: db),
                          problemParcels: problemParcels, triage: suggestion, category: category, subcategory: subcategory)
    }

    private func insert(_ intake: ValidIntake, known: KnownFacts, actor: Actor, on tx: any Database) async throws
        -> ComplaintModel
    {
        let now = services.now()
        let receivedAt = intake.receivedAt.roundedToMillis
        let customer: CustomerModel
        if let found = known.customer, intake.email == nil || intake.email == found.email {
            customer = found
        } else {
            customer = try await CustomerStore.matchOrCreate(
                phone: intake.phone.digits, name: intake.customerName, email: intake.email, id: services.ids.next(),
                now: now, on: tx)
        }
        let customerID = try customer.requireID()
        let assessment = PriorityRules.assess(
            requested: intake.requestedPriority, channel: intake.channel, description: intake.description,
            isRepeat: known.isRepeat, itemKinds: known.itemKinds)
        let outlet = known.outlet
        let scopePath = known.scopePath
        let day = ComplaintNumber.dayKey(of: receivedAt, in: services.config.timeZone)
        let sequence = try await NumberSequence.reserve(day: day, on: tx)

        let complaint = ComplaintModel()
        let id = services.ids.next()
        complaint.id = id
        complaint.number = ComplaintNumber(day: day, sequence: sequence).rawValue
        complaint.status = ComplaintStatus.received.rawValue
        complaint.channel = intake.channel.rawValue
        complaint.category = known.category?.rawValue
        complaint.subcategory = known.subcategory
        complaint.priority = assessment.priority.rawValue
        complaint.description = intake.description
        complaint.$customer.id = customerID
        complaint.$outlet.id = try outlet?.requireID()
        complaint.scopePath = scopePath
        complaint.escalationLevel = 0
        let triaged = known.triage.map { triageRecord($0, complaintID: id, actor: actor, at: now) }
        complaint.flags = (assessment.flags.union(triaged.map { [$0.flag] } ?? [])).sorted().joined(separator: ",")
        complaint.waybills = intake.waybillNumbers.joined(separator: ",")
        complaint.receivedAt = receivedAt
        complaint.createdAt = now
        complaint.updatedAt = now
        // Clocks run from the time received, so an import of an old complaint is already late if it is.
        let clocks = ClockBook.opening(
            complaintID: id, receivedAt: receivedAt, channel: intake.channel, category: known.category,
            priority: assessment.priority, regulatorForwardedAt: intake.regulatorForwardedAt?.roundedToMillis,
            regulatorDueAt: intake.regulatorDueAt?.roundedToMillis,
            settings: known.clockSettings, ids: services.ids.next)
        ClockBook.setDue(complaint, from: clocks)

        var events = [event(id, actor, "created", visible: true, note: "已受理 / received via \(intake.channel.rawValue)",
                            after: ["status": "received", "priority": assessment.priority.rawValue], at: now)]
        if let triaged { events.append(triaged.event) }
        if !assessment.reasons.isEmpty {
            events.append(event(id, actor, "priority_raised", visible: false,
                                note: assessment.reasons.joined(separator: "; "),
                                before: ["priority": (intake.requestedPriority ?? .p3).rawValue],
                                after: ["priority": assessment.priority.rawValue], at: now))
        }
        if intake.regulatorCaseNumber != nil || intake.regulatorDueAt != nil {
            // 申诉转办: the regulator's case number and the deadline it gave, kept on the timeline.
            var fields: [String: String] = [:]
            fields["caseNumber"] = intake.regulatorCaseNumber
            fields["dueAt"] = intake.regulatorDueAt.map { String($0.roundedToMillis.millis) }
            events.append(event(id, actor, "regulator_case", visible: false, after: fields, at: now))
        }
        if let outlet {
            events.append(event(id, actor, "routed", visible: false, note: "按运单路由至网点",
                                after: ["outlet": outlet.code, "why": "waybill"], at: now))
        }
        try await ComplaintStore.insert(complaint, events: events, ids: services.ids.next, on: tx)
        var linked: [ComplaintEventModel] = []
        for link in known.problemParcels {
            linked.append(try await link.record(complaintID: id, number: complaint.number, receivedAt: receivedAt, by: actor,
                                                services: services, on: tx))
        }
        try await ComplaintStore.append(linked, on: tx)
        try await ClockStore.insert(clocks, on: tx)
        customer.complaintCount += 1
        complaint.$customer.value = customer
        complaint.$outlet.value = .some(outlet)
        complaint.$assignee.value = .some(nil)
        return complaint
    }

    /// The outlet a new complaint goes to: the shipment's origin for pickup complaints, else its destination.
    private func routeOutlet(for category: ComplaintCategory?, shipments: [ShipmentModel], on tx: any Database)
        async throws -> OrgUnitModel?
    {
        guard let shipment = shipments.first else { return nil }
        let unitID = category == .pickupService
            ? shipment.$origin.id ?? shipment.$destination.id
            : shipment.$destination.id ?? shipment.$origin.id
        guard let unitID else { return nil }
        return try await OrgUnitModel.find(unitID, on: tx)
    }

    // MARK: Reading

    /// The complaint with this number, if the access policy lets the actor do `permission` to it (403 otherwise, 404
    /// when there is none). A unit asked to investigate may read it and answer its question, but not work it.
    package func visible(_ number: String, to actor: Actor, for permission: Permission) async throws -> ComplaintModel {
        // The role first: a role that may not is told so whether or not the number exists.
        if actor.principal.staff != nil { try actor.require(permission) }
        guard let parsed = ComplaintNumber(number),
              let complaint = try await ComplaintStore.find(number: parsed.rawValue, on: db)
        else { throw KesuError.notFound("No complaint \(number.prefix(40)).") }
        try actor.require(permission, on: try await subject(complaint, for: actor))
        return complaint
    }

    /// The complaint as the access policy sees it; the units asked about it are looked up only when the actor's own
    /// unit does not own it.
    package func subject(_ complaint: ComplaintModel, for actor: Actor) async throws -> Subject {
        var subject = try Subject.complaint(complaint)
        if AccessPolicy.denial(actor.principal, .viewComplaints, on: subject) == .outsideUnit {
            subject.consulted = try await InquiryStore.askedUnits(complaintID: try complaint.requireID(), on: db)
                .map(UnitPath.init(rawValue:))
        }
        return subject
    }

    /// A new private link (256 random bits) to a complaint for its customer; only its hash is kept.
    package func issueCustomerLink(to complaintID: UUID) async throws -> String {
        try await services.writer.write(on: db) { tx in try await Self.issueCustomerLink(to: complaintID, services: services, on: tx) }
    }

    /// The same inside a transaction that does more (a channel's intake that sends the link at once).
    static func issueCustomerLink(to complaintID: UUID, services: KesuServices, on tx: any Database) async throws -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let token = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        try await PortalStore.addLink(id: services.ids.next(), complaintID: complaintID, tokenHash: AuthService.digest(token),
                                      now: services.now(), on: tx)
        return token
    }

    /// A message the customer wrote on their page, on the timeline under their name.
    package func customerMessage(_ body: String, on complaint: ComplaintModel, by actor: Actor) async throws {
        try actor.require(.actAsCustomer, on: try .complaint(complaint))
        let text = try Self.checkNote(body, required: true) ?? ""
        let id = try complaint.requireID()
        let now = services.now()
        let event = ComplaintEventModel(id: services.ids.next(), complaintID: id, at: now, actorID: nil,
                                        actorName: complaint.customer.name, kind: "customer_message",
                                        customerVisible: true, note: text)
        try await services.writer.write(on: db) { tx in
            try await ComplaintStore.append([event], on: tx)
            try await ComplaintModel.query(on: tx).filter(\.$id == id).set(\.$updatedAt, to: now).update()
        }
    }

    /// The customer turns their non-essential notices off (or on again); the timeline says so.
    package func setNotices(off: Bool, on complaint: ComplaintModel, by actor: Actor) async throws {
        try actor.require(.actAsCustomer, on: try .complaint(complaint))
        let id = try complaint.requireID(), customerID = complaint.$customer.id
        let event = ComplaintEventModel(id: services.ids.next(), complaintID: id, at: services.now(), actorID: nil,
                                        actorName: complaint.customer.name, kind: off ? "notices_off" : "notices_on",
                                        customerVisible: false, note: nil)
        try await services.writer.write(on: db) { tx in
            try await CustomerModel.query(on: tx).filter(\.$id == customerID).set(\.$noticesOff, to: off).update()
            try await ComplaintStore.append([event], on: tx)
        }
    }

    package func load(id: UUID) async throws -> ComplaintModel {
        guard let complaint = try await ComplaintStore.find(id: id, on: db) else {
            throw KesuError(.internalError, "complaint \(id) vanished")
        }
        return complaint
    }

    func event(_ complaintID: UUID, _ actor: Actor?, _ kind: String, visible: Bool, note: String? = nil,
               before: [String: String]? = nil, after: [String: String]? = nil, at: Date) -> ComplaintEventModel {
        ComplaintEventModel(id: services.ids.next(), complaintID: complaintID, at: at, actorID: actor?.userID,
                            actorName: actor?.displayName, kind: kind, customerVisible: visible, note: note,
                            before: before, after: after)
    }

    static func checkKey(_ key: String) throws -> String {
        let k = key.trimmed
        guard key.length <= 200 else { throw KesuError.invalid("Idempotency-Key must be 1 to 200 characters.") }
        guard !k.isEmpty else { throw KesuError.refused("Idempotency-Key must be 1 to 200 characters.") }
        return k
    }

    static func fingerprint(_ intake: ValidIntake, givenReceivedAt: Date?) -> String {
        let parts = [intake.channel.rawValue, intake.customerName, intake.phone.digits, intake.email ?? "",
                     intake.waybillNumbers.joined(separator: ","), intake.description,
                     intake.category?.rawValue ?? "", intake.requestedPriority?.rawValue ?? "",
                     givenReceivedAt.map { String($0.millis) } ?? ""] + (intake.subcategory.map { [$0] } ?? [])
            + (intake.regulatorForwardedAt.map { ["fwd", String($0.millis)] } ?? [])
        let regulator: [String] = (intake.regulatorCaseNumber.map { ["case", $0] } ?? [])
            + (intake.regulatorDueAt.map { ["due", String($0.millis)] } ?? [])
        return hex(SHA256.hash(data: Data((parts + regulator).joined(separator: "\u{1F}").utf8)))
    }
}
