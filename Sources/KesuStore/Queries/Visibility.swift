import KesuCore
import SQLKit

extension VisibilityScope {
    /// The one SQL filter for what a principal may see of a table whose rows are owned by units: `owner` is the
    /// column with the owning unit's path, `complaint` the column with the complaint the row belongs to. Every
    /// list, count, report and export goes through this.
    package func condition(owner: String, complaint: String) -> SQLQueryString {
        switch self {
        case .all: "1 = 1"
        case .subtree(let path): "\(unsafeRaw: owner) LIKE \(bind: path.rawValue + "%")"
        case .complaint(let id): "\(unsafeRaw: complaint) = \(bind: id)"
        case .nothing: "1 = 0"
        }
    }
}
