import Fluent
import Foundation
import KesuCore
import KesuStore
import NIOConcurrencyHelpers
import Vapor

/// Slows down guessing (限流) — logins on the pages and the API alike, complaint number + phone on the portal,
/// filings from one address — by counting failures per key in the database, so that every instance behind a
/// balancer holds the same locks.
package final class Throttle: Sendable {
    /// Failures recorded by this process since the last pruning.
    private let sincePrune = NIOLockedValueBox(0)
    /// How many keys the table keeps at most (locked keys are never dropped) and how often it is pruned.
    package let keep: Int
    package let pruneEvery: Int

    package init(keep: Int = 50_000, pruneEvery: Int = 500) {
        self.keep = keep
        self.pruneEvery = pruneEvery
    }

    /// One key under one rule.
    package struct Check: Sendable {
        package var rule: ThrottleRule
        package var value: String
        package init(_ rule: ThrottleRule, _ value: String) {
            self.rule = rule
            self.value = value
        }
        var key: String { rule.key(value) }
    }

    /// Throws ``TooManyAttempts`` when any of `checks` is locked; otherwise says which of them have failures
    /// counted (the ones a success may clear).
    @discardableResult
    package func check(_ checks: [Check], services: KesuServices, on db: any Database) async throws -> [Check] {
        let (until, known) = try await ThrottleStore.state(keys: checks.map(\.key), now: services.clock.now(), on: db)
        if let until { throw TooManyAttempts(until: until) }
        return checks.filter { known.contains($0.key) }
    }

    /// Counts a failure for each of `checks`, locking those that reach their rule's limit.
    package func fail(_ checks: [Check], services: KesuServices, on db: any Database) async throws {
        let now = services.clock.now()
        let prune = sincePrune.withLockedValue { count -> Bool in
            count += 1
            guard count >= pruneEvery else { return false }
            count = 0
            return true
        }
        let keep = keep
        // A key is dropped only once even the most patient rule has forgotten it.
        let forget = ThrottleRule.all.map(\.forgetAfter).max() ?? 86_400
        try await services.writer.write(on: db) { tx in
            for check in checks {
                try await ThrottleStore.recordFailure(check.key, rule: check.rule, now: now, on: tx)
            }
            if prune { try await ThrottleStore.prune(now: now, forgetAfter: forget, keep: keep, on: tx) }
        }
    }

    /// Forgets the failures of `checks` — only keys whose secret the caller has just proved to know.
    package func clear(_ checks: [Check], services: KesuServices, on db: any Database) async throws {
        guard !checks.isEmpty else { return }
        try await services.writer.write(on: db) { tx in
            try await ThrottleStore.clear(keys: checks.map(\.key), on: tx)
        }
    }
}

/// Refused because of too many failed attempts; says when to try again.
package struct TooManyAttempts: Error, Sendable {
    package let until: Date
    /// Whole seconds to wait, at least one.
    package func retryAfter(now: Date) -> Int { max(1, Int(until.timeIntervalSince(now).rounded(.up))) }
}

extension Request {
    /// The address a request came from: the peer, or, when the peer is one of the proxies named in
    /// `KESU_TRUSTED_PROXIES`, the nearest address in `X-Forwarded-For` that is not one of them.
    package var sourceAddress: String {
        let peer = remoteAddress?.ipAddress ?? "unknown"
        let trusted = application.kesu.config.trustedProxies
        guard trusted.contains(peer) else { return peer }
        let hops = headers[.xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.reversed().first { !trusted.contains($0) } ?? peer
    }
}

extension Application {
    private struct ThrottleKey: StorageKey {
        typealias Value = Throttle
    }

    /// The throttle every login, portal look-up and portal filing goes through.
    package var throttle: Throttle {
        get { storage[ThrottleKey.self] ?? Throttle() }
        set { storage[ThrottleKey.self] = newValue }
    }
}
