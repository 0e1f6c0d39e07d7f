import Foundation

/// How failed attempts at something guessable (a login, a complaint number with a phone) slow down whoever makes
/// them (限流). Failures are counted per key — an account, a source address, a complaint number — and forgotten
/// after a quiet spell; from `limit` failures on, the key is locked, and each further failure after a lock has run
/// out locks it twice as long, up to `maxLock`.
public struct ThrottleRule: Sendable, Equatable {
    /// What the key stands for; part of the stored key, so rules never share a count.
    public var name: String
    /// Failures that may be made before the key locks.
    public var limit: Int
    /// How long the first lock lasts.
    public var firstLock: TimeInterval
    /// The longest a lock lasts, however many failures came before it.
    public var maxLock: TimeInterval
    /// A key with no failure for this long starts again from zero.
    public var forgetAfter: TimeInterval

    public init(name: String, limit: Int, firstLock: TimeInterval, maxLock: TimeInterval, forgetAfter: TimeInterval) {
        self.name = name
        self.limit = limit
        self.firstLock = firstLock
        self.maxLock = maxLock
        self.forgetAfter = forgetAfter
    }

    /// How long a key is locked once it has counted `failures` failures; nil while it is under the limit.
    public func lock(afterFailures failures: Int) -> TimeInterval? {
        guard failures >= limit else { return nil }
        let doublings = min(failures - limit, 30)
        return min(firstLock * pow(2, Double(doublings)), maxLock)
    }

    /// The stored key for `value` under this rule.
    public func key(_ value: String) -> String { name + "|" + value }
}

extension ThrottleRule {
    /// One account tried from one address: the tightest rule, so a person who mistypes is slowed before anyone else.
    public static let loginAccountFromSource = ThrottleRule(name: "login-as", limit: 5, firstLock: 60,
                                                            maxLock: 3_600, forgetAfter: 3_600)
    /// One account tried from anywhere: many addresses guessing one password still meet a lock, which lasts at
    /// most a quarter of an hour so that a flood cannot keep the owner out for long.
    public static let loginAccount = ThrottleRule(name: "login-user", limit: 20, firstLock: 60, maxLock: 900,
                                                  forgetAfter: 3_600)
    /// One address trying any accounts: made-up usernames lock the address, not the people it names.
    public static let loginSource = ThrottleRule(name: "login-ip", limit: 30, firstLock: 60, maxLock: 3_600,
                                                 forgetAfter: 3_600)
    /// One address guessing complaint numbers with phones on the customer portal.
    public static let portalSource = ThrottleRule(name: "track-ip", limit: 5, firstLock: 300, maxLock: 86_400,
                                                  forgetAfter: 86_400)
    /// One complaint number guessed at with wrong phones, from any address.
    public static let portalNumber = ThrottleRule(name: "track-no", limit: 5, firstLock: 300, maxLock: 86_400,
                                                  forgetAfter: 86_400)
    /// Complaints filed on the portal from one address: enough for a family, not for a script. Every filing
    /// counts as an attempt.
    public static let portalFiling = ThrottleRule(name: "file-ip", limit: 5, firstLock: 300, maxLock: 3_600,
                                                  forgetAfter: 300)

    /// Every rule Kesu counts by.
    public static let all: [ThrottleRule] = [.loginAccountFromSource, .loginAccount, .loginSource, .portalSource,
                                             .portalNumber, .portalFiling]
}
