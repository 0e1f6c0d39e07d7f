import FluentKit
import SQLKit

/// 黑名单复核 — a quality officer's review of a customer the malicious-complainant signals flagged, its decision
/// (listed until an expiry, or dismissed) with reason and evidence, requests to lift a listing and the lifting, each on
/// the review's timeline.
struct CreateCustomerReviews: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("customer_reviews")
            .id()
            .field("customer_id", .uuid, .required, .references("customers", "id"))
            // open, listed, dismissed, lifted
            .field("state", .string, .required)
            .field("opened_by_id", .uuid, .required)
            .field("opened_by_name", .string, .required)
            .field("opened_at", .datetime, .required)
            .field("opened_reason", .string, .required)
            // The signals as they stood when the review was opened (JSON).
            .field("signals", .string, .required)
            .field("decided_by_id", .uuid)
            .field("decided_by_name", .string)
            .field("decided_at", .datetime)
            .field("decision_reason", .string)
            .field("evidence", .string)
            .field("expires_at", .datetime)
            .field("lifted_at", .datetime)
            .create()
        try await database.createIndex("customer_reviews_customer", on: "customer_reviews", "customer_id", "state")
        try await database.createIndex("customer_reviews_state", on: "customer_reviews", "state", "opened_at")
        try await database.schema("customer_review_entries")
            .id()
            .field("review_id", .uuid, .required, .references("customer_reviews", "id"))
            .field("at", .datetime, .required)
            .field("by_id", .uuid)
            .field("by_name", .string, .required)
            // opened, listed, dismissed, lift_asked, lifted
            .field("kind", .string, .required)
            .field("note", .string)
            .create()
        try await database.createIndex("customer_review_entries_review", on: "customer_review_entries", "review_id", "at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("customer_review_entries").delete()
        try await database.schema("customer_reviews").delete()
    }
}
