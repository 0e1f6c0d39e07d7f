import FluentKit
import Foundation
import KesuCore
import SQLKit

/// Failed attempts per throttle key, in the database so that every instance behind a balancer counts the same
/// failures. The table is kept bounded by ``prune(now:forgetAfter:keep:on:)``, which drops forgotten keys and then the
/// oldest unlocked ones, never a key that is locked.
package enum ThrottleStore {
    /// The latest lock still in force among `keys`, if any, and which of the keys have failures stored.
    package static func state(keys: [String], now: Date, on db: any Database) async throws
        -> (lockedUntil: Date?, known: Set<String>)
    {
        guard !keys.isEmpty else { return (nil, []) }
        let list = SQLList(keys.map { SQLBind($0) })
        let rows = try await db.sql.raw("""
            SELECT throttle_key, locked_until FROM throttle_keys WHERE throttle_key IN (\(list))
            """).all()
        var until: Double?
        var known: Set<String> = []
        for row in rows {
            known.insert(try row.decode(column: "throttle_key", as: String.self))
            if let locked = try row.decode(column: "locked_until", as: Double?.self), locked > now.timeIntervalSince1970 {
                until = max(until ?? locked, locked)
            }
        }
        return (until.map(Date.init(timeIntervalSince1970:)), known)
    }

    /// Counts one failure for `key` under `rule` (starting again after the rule's quiet spell) and locks the key
    /// when the rule says so. Returns the failures counted, this one included.
    @discardableResult
    package static func recordFailure(_ key: String, rule: ThrottleRule, now: Date, on db: any Database) async throws
        -> Int
    {
        let at = now.timeIntervalSince1970
        let forgotten = at - rule.forgetAfter
        let row = try await db.sql.raw("""
            INSERT INTO throttle_keys (throttle_key, failures, last_failure_at, locked_until)
            VALUES (\(bind: key), 1, \(bind: at), NULL)
            ON CONFLICT (throttle_key) DO UPDATE SET
              failures = CASE WHEN throttle_keys.last_failure_at < \(bind: forgotten) THEN 1
                              ELSE throttle_keys.failures + 1 END,
              last_failure_at = \(bind: at)
            RETURNING failures
            """).first()
        let failures = try row?.decode(column: "failures", as: Int.self) ?? 1
        if let lock = rule.lock(afterFailures: failures) {
            try await db.sql.raw("""
                UPDATE throttle_keys SET locked_until = \(bind: at + lock) WHERE throttle_key = \(bind: key)
                """).run()
        }
        return failures
    }

    /// Forgets the failures of `keys` (after a success that proves the caller knew the secret they guard).
    package static func clear(keys: [String], on db: any Database) async throws {
        guard !keys.isEmpty else { return }
        let list = SQLList(keys.map { SQLBind($0) })
        try await db.sql.raw("DELETE FROM throttle_keys WHERE throttle_key IN (\(list))").run()
    }

    /// Drops keys that are forgotten and not locked; then, while more than `keep` rows remain, the oldest unlocked
    /// ones. A locked key is never dropped.
    package static func prune(now: Date, forgetAfter: TimeInterval, keep: Int, on db: any Database) async throws {
        let at = now.timeIntervalSince1970
        try await db.sql.raw("""
            DELETE FROM throttle_keys
            WHERE last_failure_at < \(bind: at - forgetAfter) AND (locked_until IS NULL OR locked_until <= \(bind: at))
            """).run()
        let count = try await count(on: db)
        guard count > keep else { return }
        try await db.sql.raw("""
            DELETE FROM throttle_keys WHERE throttle_key IN (
              SELECT throttle_key FROM throttle_keys
              WHERE locked_until IS NULL OR locked_until <= \(bind: at)
              ORDER BY last_failure_at LIMIT \(bind: count - keep))
            """).run()
    }

    /// How many keys are stored.
    package static func count(on db: any Database) async throws -> Int {
        try await db.sql.raw("SELECT COUNT(*) AS n FROM throttle_keys").first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
