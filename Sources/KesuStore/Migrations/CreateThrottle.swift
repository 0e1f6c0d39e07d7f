import FluentKit

/// Failed attempts per throttle key (logins, portal look-ups, portal filings), shared by every instance; times are
/// seconds since 1970 so that both databases compare them the same way.
struct CreateThrottle: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("throttle_keys")
            .field("throttle_key", .string, .identifier(auto: false))
            .field("failures", .int, .required)
            .field("last_failure_at", .double, .required)
            .field("locked_until", .double)
            .create()
        // Pruning finds the oldest keys first.
        try await database.createIndex("throttle_keys_last_failure", on: "throttle_keys", "last_failure_at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("throttle_keys").delete()
    }
}
