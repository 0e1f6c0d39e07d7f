import FluentKit
import Foundation
import KesuCore

/// Reads and checks sub-categories.
package enum SubcategoryStore {
    /// Every sub-category, retired ones included, in the order they are offered.
    package static func all(on db: any Database) async throws -> [SubcategoryModel] {
        try await SubcategoryModel.query(on: db).sort(\.$position).all()
    }

    /// Throws a 422 naming `subcategory` unless `code` is an offered sub-category of `category`.
    package static func check(_ code: String, under category: String?, on db: any Database) async throws {
        guard let found = try await SubcategoryModel.query(on: db).filter(\.$code == code).first(), found.active
        else { throw KesuError.refused("No sub-category \(code.prefix(40)).", fields: ["subcategory": ["unknown"]]) }
        guard found.category == category else {
            throw KesuError.refused("Sub-category \(code.prefix(40)) belongs to \(found.category), not \(category ?? "no category").",
                                    fields: ["subcategory": ["belongs to another category"]])
        }
    }
}
