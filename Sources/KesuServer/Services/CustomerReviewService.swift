import Fluent
import Foundation
import KesuCore
import KesuStore

/// 恶意投诉识别与黑名单 — the signals computed per customer with their evidence, shown to staff as a risk flag (never
/// to the customer, never an accusation); a quality officer's review, whose decision alone lists a customer until an
/// expiry; requests to lift, and the lifting. A listing never blocks a complaint: it changes handling (claims approves
/// their compensation; a fine arising from their complaint goes to review suspended).
package struct CustomerReviewService {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    /// The signals of `customerID` now, read from the last 90 days.
    package func signals(of customerID: UUID) async throws -> [MaliceSignal] {
        let rules = MaliceRules.standard
        let now = services.now()
        let record = try await CustomerReviewStore.facts(of: customerID, since: now.addingTimeInterval(-rules.window), on: db)
        return rules.signals(of: record, now: now)
    }

    /// The customer, found by id, when the actor sees one of their complaints: 404 for none, 403 for a customer only
    /// other units have complaints of.
    package func customer(_ id: UUID, for actor: Actor) async throws -> CustomerModel {
        guard let customer = try await CustomerModel.find(id, on: db) else { throw KesuError.notFound("No such customer.") }
        guard try await CustomerReviewStore.sees(id, scope: AccessPolicy.scope(of: actor.principal), on: db) else {
            throw KesuError.forbidden("This belongs to another unit.")
        }
        return customer
    }

    /// A review whose customer the actor sees.
    private func visibleReview(_ id: UUID, for actor: Actor) async throws -> CustomerReviewRow {
        guard let review = try await CustomerReviewStore.find(id, on: db) else { throw KesuError.notFound("No such review.") }
        _ = try await customer(review.customerID, for: actor)
        return review
    }

    package func isListed(_ customerID: UUID) async throws -> Bool {
        try await CustomerReviewStore.isListed(customerID, at: services.now(), on: db)
    }

    /// A quality officer opens a review of a customer, with why; one open review a customer.
    package func open(_ customerID: UUID, reason: String, by actor: Actor) async throws -> CustomerReviewRow {
        try actor.require(.reviewCustomers)
        _ = try await customer(customerID, for: actor)
        var problems = ValidationProblems()
        let text = reason.trimmed
        if reason.length > 500 { problems.add("reason", "must be 2 to 500 characters") } else if text.length < 2 {
            problems.refuse("reason", "must be 2 to 500 characters")
        }
        try problems.throwIfAny("The review cannot be opened.")
        let signals = try await signals(of: customerID)
        let now = services.now()
        let review = CustomerReviewRow(id: services.ids.next(), customerID: customerID, openedByID: actor.userID,
                                       openedByName: actor.displayName, openedAt: now, openedReason: text, signals: signals)
        try await services.writer.write(on: db) { tx in
            guard try await CustomerReviewStore.reviews(of: customerID, on: tx).allSatisfy({ $0.state != "open" }) else {
                throw KesuError.conflict("This customer has an open review already.")
            }
            try await CustomerReviewStore.insert(review, on: tx)
            try await CustomerReviewStore.insert(CustomerReviewEntry(
                id: services.ids.next(), reviewID: review.id, at: now, byID: actor.userID, byName: actor.displayName,
                kind: "opened", note: text), on: tx)
        }
        return review
    }

    package func review(_ id: UUID, for actor: Actor) async throws -> CustomerReviewRow {
        try actor.require(.viewComplaints)
        return try await visibleReview(id, for: actor)
    }

    /// The reviewer decides an open review: list until `expiresAt` with a reason and evidence, or dismiss with a
    /// reason. Nothing else lists a customer.
    package func decide(_ id: UUID, list: Bool, reason: String, evidence: String, expiresAt: Date?, by actor: Actor)
        async throws -> CustomerReviewRow
    {
        try actor.require(.reviewCustomers)
        _ = try await visibleReview(id, for: actor)
        let now = services.now()
        if list {
            guard let expiresAt else {
                throw KesuError.refused("A listing needs an expiry.", fields: ["expiresAt": ["missing"]])
            }
            try BlacklistRules.checkListing(reason: reason, evidence: evidence, expiresAt: expiresAt, now: now)
        } else if reason.trimmed.length < 2 || reason.length > 500 {
            throw KesuError.refused("Say why the review is dismissed.", fields: ["reason": ["must be 2 to 500 characters"]])
        }
        return try await services.writer.write(on: db) { tx in
            guard var review = try await CustomerReviewStore.find(id, on: tx) else { throw KesuError.notFound("No such review.") }
            guard review.state == "open" else {
                throw KesuError.conflict("Only an open review is decided; open a new review to list this customer.")
            }
            review.state = list ? "listed" : "dismissed"
            review.decidedByID = actor.userID
            review.decidedByName = actor.displayName
            review.decidedAt = now
            review.decisionReason = reason.trimmed
            review.evidence = evidence.trimmed.isEmpty ? nil : evidence.trimmed
            review.expiresAt = list ? expiresAt?.roundedToMillis : nil
            try await CustomerReviewStore.update(review, on: tx)
            try await CustomerReviewStore.insert(CustomerReviewEntry(
                id: services.ids.next(), reviewID: id, at: now, byID: actor.userID, byName: actor.displayName,
                kind: list ? "listed" : "dismissed", note: reason.trimmed), on: tx)
            return review
        }
    }

    /// Staff ask, for the customer or for the outlet, that a listing be lifted; HQ quality hears of it.
    package func askLift(_ id: UUID, reason: String, by actor: Actor) async throws {
        try actor.require(.askBlacklistLift)
        _ = try await visibleReview(id, for: actor)
        let text = reason.trimmed
        guard text.length >= 2, reason.length <= 500 else {
            throw KesuError.refused("Say why it should be lifted.", fields: ["reason": ["must be 2 to 500 characters"]])
        }
        let now = services.now()
        try await services.writer.write(on: db) { tx in
            guard let review = try await CustomerReviewStore.find(id, on: tx) else { throw KesuError.notFound("No such review.") }
            guard review.lists(at: now) else { throw KesuError.conflict("This customer is not on the blacklist.") }
            try await CustomerReviewStore.insert(CustomerReviewEntry(
                id: services.ids.next(), reviewID: id, at: now, byID: actor.userID, byName: actor.displayName,
                kind: "lift_asked", note: text), on: tx)
            let reviewers = try await NotificationStore.escalatees(roles: [.quality], on: tx).filter { $0.unitPath.depth <= 1 }
            try await NotificationStore.insert(reviewers.map {
                NotificationRow(id: services.ids.next(), userID: $0.id, complaintID: nil, kind: "blacklist_lift_asked",
                                params: ["review": id.uuidString, "customer": review.customerName, "by": actor.displayName],
                                createdAt: now)
            }, on: tx)
        }
    }

    /// A quality officer lifts a listing, with a reason; it is recorded on the review.
    package func lift(_ id: UUID, reason: String, by actor: Actor) async throws -> CustomerReviewRow {
        try actor.require(.reviewCustomers)
        _ = try await visibleReview(id, for: actor)
        let text = reason.trimmed
        guard text.length >= 2, reason.length <= 500 else {
            throw KesuError.refused("Say why it is lifted.", fields: ["reason": ["must be 2 to 500 characters"]])
        }
        let now = services.now()
        return try await services.writer.write(on: db) { tx in
            guard var review = try await CustomerReviewStore.find(id, on: tx) else { throw KesuError.notFound("No such review.") }
            guard review.lists(at: now) else { throw KesuError.conflict("This customer is not on the blacklist.") }
            review.state = "lifted"
            review.liftedAt = now
            try await CustomerReviewStore.update(review, on: tx)
            try await CustomerReviewStore.insert(CustomerReviewEntry(
                id: services.ids.next(), reviewID: id, at: now, byID: actor.userID, byName: actor.displayName,
                kind: "lifted", note: text), on: tx)
            return review
        }
    }
}
