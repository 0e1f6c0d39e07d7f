import FluentKit
import Foundation

/// 用户 — a staff user who logs in.
package final class UserModel: Model, @unchecked Sendable {
    package static let schema = "users"

    @ID(key: .id) package var id: UUID?
    @Field(key: "username") package var username: String
    @Field(key: "display_name") package var displayName: String
    @Field(key: "password_hash") package var passwordHash: String
    @Field(key: "role") package var role: String
    @Parent(key: "unit_id") package var unit: OrgUnitModel
    @Field(key: "active") package var active: Bool
    @Field(key: "created_at") package var createdAt: Date

    package init() {}

    package init(id: UUID, username: String, displayName: String, passwordHash: String, role: String, unitID: UUID,
                 active: Bool = true, createdAt: Date) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.role = role
        self.$unit.id = unitID
        self.active = active
        self.createdAt = createdAt
    }
}

/// A bearer token; only its SHA-256 is stored, so a leaked database holds no usable token.
package final class AuthTokenModel: Model, @unchecked Sendable {
    package static let schema = "auth_tokens"

    @ID(key: .id) package var id: UUID?
    @Field(key: "token_hash") package var tokenHash: String
    @Parent(key: "user_id") package var user: UserModel
    @Field(key: "expires_at") package var expiresAt: Date
    @OptionalField(key: "revoked_at") package var revokedAt: Date?
    @Field(key: "created_at") package var createdAt: Date

    package init() {}

    package init(id: UUID, tokenHash: String, userID: UUID, expiresAt: Date, createdAt: Date) {
        self.id = id
        self.tokenHash = tokenHash
        self.$user.id = userID
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }
}
