import Fluent
import Foundation
import KesuCore
import KesuStore
import NIOConcurrencyHelpers
import Vapor

/// Logs users in with bcrypt-checked passwords and hands out bearer tokens whose SHA-256 alone is stored.
package struct AuthService: Sendable {
    let app: Application

    package init(app: Application) { self.app = app }

    /// Checks a username and password coming from `source`, the same way for the pages and the API; a wrong one of
    /// either gets the same answer after the same bcrypt work. Failures count against the account from that
    /// address, the account and the address (``ThrottleRule``); while any of them is locked even the right password
    /// is refused with ``TooManyAttempts``.
    package func login(username: String, password: String, source: String, on db: any Database) async throws
        -> UserModel
    {
        let services = app.kesu
        let account = username.lowercased()
        let checks = [Throttle.Check(.loginAccountFromSource, account + "@" + source),
                      Throttle.Check(.loginAccount, account), Throttle.Check(.loginSource, source)]
        let counted = try await app.throttle.check(checks, services: services, on: db)
        do {
            let user = try await verify(username: username, password: password, on: db)
            // The account's own counts go; the address's stays, so a caller's own good login never wipes out
            // the guesses it made at others.
            try await app.throttle.clear(counted.filter { $0.rule != .loginSource }, services: services, on: db)
            return user
        } catch let error as KesuError where error.code == .unauthenticated {
            try await app.throttle.fail(checks, services: services, on: db)
            throw error
        }
    }

    /// The user whose password this is; an unknown user costs the same bcrypt work as a known one.
    private func verify(username: String, password: String, on db: any Database) async throws -> UserModel {
        let wrong = KesuError(.unauthenticated, "Wrong username or password.")
        guard password.utf8.count <= 72 else { throw wrong }
        let user = try await UserModel.query(on: db).filter(\.$username == username).with(\.$unit).first()
        let hash: String
        if let user { hash = user.passwordHash } else { hash = try await decoyHash() }
        let ok = try await app.threadPool.runIfActive { try Bcrypt.verify(password, created: hash) }
        guard ok, let user else { throw wrong }
        guard user.active else { throw KesuError(.unauthenticated, "This account is disabled.") }
        return user
    }

    /// A bcrypt hash at the configured cost that no password matches, checked against when no user has the name.
    private func decoyHash() async throws -> String {
        let cost = app.kesu.config.bcryptCost
        if let hash = Self.decoys.withLockedValue({ $0[cost] }) { return hash }
        var rng = SystemRandomNumberGenerator()
        let secret = (0..<4).map { _ in String(rng.next(), radix: 36) }.joined()
        let hash = try await app.threadPool.runIfActive { try Bcrypt.hash(secret, cost: cost) }
        Self.decoys.withLockedValue { $0[cost] = hash }
        return hash
    }

    private static let decoys = NIOLockedValueBox<[Int: String]>([:])

    /// Issues a new token for `user`; the plain token is returned once and never stored.
    package func issueToken(for user: UserModel, on db: any Database) async throws -> (token: String, expiresAt: Date) {
        let services = app.kesu
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        let token = "ks_" + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let now = services.now()
        let expires = now.addingTimeInterval(services.config.tokenLifetime)
        let model = AuthTokenModel(id: services.ids.next(), tokenHash: Self.digest(token), userID: try user.requireID(),
                                   expiresAt: expires, createdAt: now)
        try await services.writer.write(on: db) { try await model.create(on: $0) }
        return (token, expires)
    }

    /// The actor a bearer token stands for; 401 when it is unknown, expired or revoked.
    package func authenticate(bearer: String, on db: any Database) async throws -> Actor {
        let invalid = KesuError(.unauthenticated, "The token is not valid (unknown, expired or revoked).")
        guard bearer.count < 200,
              let session = try await TokenSession.find(hash: Self.digest(bearer), on: db),
              !session.revoked, session.expiresAt > app.kesu.clock.now(), session.active,
              let role = Role(rawValue: session.role), let kind = UnitKind(rawValue: session.unitKind)
        else { throw invalid }
        return Actor(userID: session.userID, username: session.username, displayName: session.displayName, role: role,
                     unitID: session.unitID, unitKind: kind, unitPath: UnitPath(rawValue: session.unitPath),
                     tokenID: session.tokenID)
    }

    /// Revokes one token, or every live token of a user; returns how many.
    package func revoke(tokenID: UUID? = nil, userID: UUID? = nil, on db: any Database) async throws -> Int {
        let now = app.kesu.now()
        return try await app.kesu.writer.write(on: db) { tx in
            let q = AuthTokenModel.query(on: tx).filter(\.$revokedAt == nil)
            if let tokenID { q.filter(\.$id == tokenID) }
            if let userID { q.filter(\.$user.$id == userID) }
            let live = try await q.all()
            for token in live {
                token.revokedAt = now
                try await token.update(on: tx)
            }
            return live.count
        }
    }

    /// Hashes a password with the configured bcrypt cost, off the event loop.
    package func hashPassword(_ password: String) async throws -> String {
        try PasswordRules.check(password)
        let cost = app.kesu.config.bcryptCost
        return try await app.threadPool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    static func digest(_ token: String) -> String {
        hex(SHA256.hash(data: Data(token.utf8)))
    }
}

/// Lower-case hex of a digest's bytes.
package func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// What a password must be.
package enum PasswordRules {
    package static func check(_ password: String) throws {
        guard (8...72).contains(password.utf8.count) else {
            throw KesuError.invalid("A password must be 8 to 72 bytes long.", fields: ["password": ["8 to 72 bytes"]])
        }
    }
}
