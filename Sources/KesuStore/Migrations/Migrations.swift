import FluentKit
import SQLKit

/// Every migration, once, in order. The same list runs on SQLite and PostgreSQL.
package enum Migrations {
    package static let all: [any Migration] = [
        CreateOrgUnit(),
        CreateUser(),
        CreateAuthToken(),
        CreateCustomer(),
        CreateShipment(),
        CreateTrackingEvent(),
        CreateComplaint(),
        CreateComplaintWaybill(),
        CreateComplaintEvent(),
        CreateNumberSequence(),
        CreateIdempotencyKey(),
        CreatePortalLink(),
        CreateAttachment(),
        CreateCannedReply(),
        CreateSubcategory(),
        CreateClocks(),
        CreateResolution(),
        CreateInvestigation(),
        CreateThrottle(),
        CreateJobs(),
        ClocksOnAnySubject(),
        CreateNotificationParams(),
        CreateWorkList(),
        IndexOpenWork(),
        RecordUploader(),
        CreateProblemParcels(),
        CreateFines(),
        CreateCustomerReviews(),
        IndexPerformanceBoard(),
        CreateMessages(),
        CreateNoticeTemplates(),
        CreateWeChatFollowers(),
        AddDeliveryReports(),
        CreateTriageCorrections(),
        CreateSearchIndex(),
    ]
}

extension Database {
    /// The database as SQL, for what Fluent's schema builder cannot say (composite indexes, upserts).
    package var sql: any SQLDatabase {
        get throws {
            guard let sql = self as? any SQLDatabase else {
                throw FluentError.invalidField(name: "database", valueType: Self.self, error: SQLUnsupported())
            }
            return sql
        }
    }

    /// Creates a plain (non-unique) index.
    func createIndex(_ name: String, on table: String, _ columns: String...) async throws {
        var builder = try sql.create(index: name).on(table)
        for c in columns { builder = builder.column(c) }
        try await builder.run()
    }
}

struct SQLUnsupported: Error {}
