import FluentKit
import Foundation
import KesuCore
import KesuStore

/// The stored things as the access policy sees them: the unit that owns each, and the complaint it belongs to.
extension Subject {
    static func complaint(_ complaint: ComplaintModel) throws -> Subject {
        Subject(owner: UnitPath(rawValue: complaint.scopePath), complaintID: try complaint.requireID())
    }

    /// A thing owned by the unit at `path` (an inquiry by the unit asked, a rectification by the unit that owes it).
    static func owned(by path: String, complaintID: UUID? = nil) -> Subject {
        Subject(owner: UnitPath(rawValue: path), complaintID: complaintID)
    }
}
