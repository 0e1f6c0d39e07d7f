import Foundation
import KesuCore
import KesuStore

/// A notification in the reader's language: its kind's text (`notice.<kind>` in the catalogs) filled with its
/// parameters — clock kinds and proposal kinds by name, times in the reader's time zone, amounts in yuan.
/// Notifications stored before they had parameters read as they were written.
struct NoticeText {
    let language: Language
    let format: PageFormat

    func text(of notice: NotificationRow) -> String {
        guard let params = notice.params else { return notice.text }
        var values = params
        if let clock = params["clock"].flatMap(ClockKind.init(rawValue:)) { values["clock"] = language.name(of: clock) }
        if let proposal = params["proposal"].flatMap(ProposalKind.init(rawValue:)) {
            values["proposal"] = language.name(of: proposal)
        }
        if let due = params["due"].flatMap(Int64.init) { values["due"] = format.time(Date(millis: due)) }
        if let fen = params["amountFen"].flatMap(Int64.init) { values["amount"] = CompensationEngine.yuan(fen) }
        return language.text("notice.\(notice.kind)", values)
    }
}
