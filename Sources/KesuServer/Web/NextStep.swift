import Foundation
import KesuCore

/// 下一步 — what the complaint page offers first for the complaint's state: a sentence saying what to do, the
/// moves that usually come next, and which folded parts of the page are opened for the step.
struct NextStep: Encodable {
    var hint: String
    var moves: [Choice]
    var open: Open

    /// The folded parts of the complaint page, open when the step needs them.
    struct Open: Encodable {
        var inquiries = false
        var responsibility = false
        var proposals = false
        var tasks = false
        var followUp = false
        var change = false
        var typical = false
    }

    /// The moves a state usually goes on to; the rest stay under "other moves".
    static func recommended(for status: ComplaintStatus, allowed: [ComplaintStatus]) -> [ComplaintStatus] {
        let usual: [ComplaintStatus] = switch status {
        case .received, .reopened: [.triaged]
        case .triaged: [.investigating]
        case .investigating: [.proposing]
        case .followUp: [.closed]
        case .onHold: allowed
        case .proposing, .awaitingCustomer, .executing, .closed: []
        }
        return usual.filter(allowed.contains)
    }

    /// The step for a complaint in `status`. `canWork` is false for a unit only asked to investigate, whose step
    /// is answering (`answering`).
    static func of(_ status: ComplaintStatus, allowed: [ComplaintStatus], canWork: Bool, answering: Bool,
                   in language: Language) -> NextStep {
        var open = Open()
        switch status {
        case .received: open.change = true
        case .investigating: open.inquiries = true; open.responsibility = true
        case .proposing, .awaitingCustomer: open.proposals = true
        case .executing: open.tasks = true
        case .followUp: open.followUp = true
        case .closed: open.typical = true
        case .triaged, .onHold, .reopened: break
        }
        if answering { open.inquiries = true }
        let moves = canWork ? recommended(for: status, allowed: allowed).map {
            Choice(value: $0.rawValue, label: language.name(of: $0), selected: false)
        } : []
        let hint = answering ? language.text("next.answer")
            : canWork ? language.text("next." + status.rawValue) : language.text("next.view_only")
        return NextStep(hint: hint, moves: moves, open: open)
    }
}
