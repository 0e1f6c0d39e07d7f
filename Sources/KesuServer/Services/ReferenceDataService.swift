import Fluent
import Foundation
import KesuCore
import KesuStore

/// The lists people pick from while they work, kept by admins: canned replies (话术) and sub-categories; and the
/// authority limits proposals are held to.
package struct ReferenceDataService: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    /// Adds a canned reply, or changes one (`id` given), or removes one (`id` given, empty body).
    package func saveCannedReply(id: UUID?, title: String, body: String, by actor: Actor) async throws {
        try actor.require(.manageUsers)
        let title = title.trimmed, body = body.trimmed
        if let id {
            guard let reply = try await CannedReplyModel.find(id, on: db) else { throw KesuError.notFound("No such reply.") }
            if body.isEmpty {
                try await services.writer.write(on: db) { try await reply.delete(on: $0) }
                return
            }
            guard (1...40).contains(title.count), body.count <= 1_000 else {
                throw KesuError.invalid("A title is 1–40 characters, a reply at most 1,000.",
                                        fields: ["title": ["1 to 40 characters"], "body": ["at most 1,000 characters"]])
            }
            reply.title = title
            reply.body = body
            try await services.writer.write(on: db) { try await reply.update(on: $0) }
        } else {
            guard (1...40).contains(title.count), (1...1_000).contains(body.count) else {
                throw KesuError.invalid("A title is 1–40 characters, a reply 1 to 1,000.",
                                        fields: ["title": ["1 to 40 characters"], "body": ["1 to 1,000 characters"]])
            }
            let reply = CannedReplyModel()
            reply.id = services.ids.next()
            reply.title = title
            reply.body = body
            reply.createdAt = services.now()
            try await services.writer.write(on: db) { tx in
                reply.position = (try await CannedReplyModel.query(on: tx).max(\.$position) ?? 0) + 1
                try await reply.create(on: tx)
            }
        }
    }

    /// Adds a sub-category (`category` given), or renames, retires or restores one (`code` of an existing one).
    package func saveSubcategory(code: String, nameZh: String, nameEn: String, category: String?, active: Bool,
                                 by actor: Actor) async throws {
        try actor.require(.manageUsers)
        let code = code.trimmed, nameZh = nameZh.trimmed, nameEn = nameEn.trimmed
        var problems = ValidationProblems()
        if !(1...40).contains(nameZh.count) { problems.add("nameZh", "must be 1 to 40 characters") }
        if !(1...60).contains(nameEn.count) { problems.add("nameEn", "must be 1 to 60 characters") }
        if let existing = try await SubcategoryModel.query(on: db).filter(\.$code == code).first() {
            guard category == nil || category == existing.category else {
                throw KesuError.conflict("The code \(code) is already used under \(existing.category).")
            }
            try problems.throwIfAny("The sub-category cannot be saved")
            existing.nameZh = nameZh
            existing.nameEn = nameEn
            existing.active = active
            try await services.writer.write(on: db) { try await existing.update(on: $0) }
            return
        }
        guard let category = category.flatMap(ComplaintCategory.init(rawValue:)) else {
            throw KesuError.invalid("Choose the category the sub-category belongs to.", fields: ["category": ["unknown"]])
        }
        let validCode = (2...40).contains(code.count)
            && code.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
        if !validCode { problems.add("code", "must be 2 to 40 lower-case letters, digits or _") }
        try problems.throwIfAny("The sub-category cannot be saved")
        let sub = SubcategoryModel()
        sub.id = services.ids.next()
        sub.code = code
        sub.category = category.rawValue
        sub.nameZh = nameZh
        sub.nameEn = nameEn
        sub.active = true
        try await services.writer.write(on: db) { tx in
            sub.position = (try await SubcategoryModel.query(on: tx).max(\.$position) ?? 0) + 1
            try await sub.create(on: tx)
        }
    }

    /// Sets (or, with nil, removes) the most a role may offer without approval.
    package func setAuthorityLimit(_ role: Role, limitFen: Int64?, by actor: Actor) async throws {
        try actor.require(.manageCompensation)
        if let limitFen, !(0...1_000_000_000).contains(limitFen) {
            throw KesuError.invalid("limitFen must be 0 to ¥10,000,000.", fields: ["limitFen": ["out of range"]])
        }
        try await services.writer.write(on: db) { tx in
            try await ProposalStore.setAuthorityLimit(role, limitFen: limitFen, on: tx)
        }
    }
}
