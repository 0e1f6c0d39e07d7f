import FluentKit
import Foundation
import SQLKit

/// The agents' category corrections, written beside the change that made them and read back for training.
package enum TriageCorrectionStore {
    package struct Correction: Sendable, Equatable {
        package var description: String
        package var suggested: String?
        package var chosen: String
        package var chosenSubcategory: String?

        package init(description: String, suggested: String?, chosen: String, chosenSubcategory: String?) {
            self.description = description
            self.suggested = suggested
            self.chosen = chosen
            self.chosenSubcategory = chosenSubcategory
        }
    }

    package static func record(id: UUID, complaintID: UUID, _ c: Correction, at: Date, on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO triage_corrections (id, complaint_id, description, suggested, chosen, chosen_subcategory, created_at)
            VALUES (\(bind: id), \(bind: complaintID), \(bind: c.description), \(bind: c.suggested), \(bind: c.chosen),
                    \(bind: c.chosenSubcategory), \(bind: at))
            """).run()
    }

    /// Every correction, oldest first.
    package static func all(on db: any Database) async throws -> [Correction] {
        try await db.sql.raw("""
            SELECT description, suggested, chosen, chosen_subcategory FROM triage_corrections ORDER BY created_at, id
            """).all().map {
            Correction(description: try $0.decode(column: "description", as: String.self),
                       suggested: try $0.decode(column: "suggested", as: String?.self),
                       chosen: try $0.decode(column: "chosen", as: String.self),
                       chosenSubcategory: try $0.decode(column: "chosen_subcategory", as: String?.self))
        }
    }
}
