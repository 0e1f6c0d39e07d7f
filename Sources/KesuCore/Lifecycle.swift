/// The lifecycle rules: which status may follow which.
///
/// A simple complaint may go straight from `triaged` to `proposing` or `executing`; a customer who rejects a
/// proposal sends it back to `proposing`; `on_hold` returns only to the status it was held from; a closed or
/// unsatisfied complaint is `reopened`, then worked again.
public enum Lifecycle {
    /// The statuses reachable from `status`. For `on_hold`, `heldFrom` is the status it returns to.
    public static func allowed(from status: ComplaintStatus, heldFrom: ComplaintStatus? = nil) -> [ComplaintStatus] {
        switch status {
        case .received: [.triaged, .onHold]
        case .triaged: [.investigating, .proposing, .executing, .onHold]
        case .investigating: [.proposing, .onHold]
        case .proposing: [.investigating, .awaitingCustomer, .onHold]
        case .awaitingCustomer: [.proposing, .executing, .onHold]
        case .executing: [.followUp, .onHold]
        case .followUp: [.closed, .reopened]
        case .closed: [.reopened]
        case .onHold: heldFrom.map { [$0] } ?? []
        case .reopened: [.triaged, .investigating, .proposing, .onHold]
        }
    }

    /// Checks a transition; throws ``KesuError/Code/illegalTransition`` naming the allowed ones.
    public static func check(from: ComplaintStatus, to: ComplaintStatus, heldFrom: ComplaintStatus?) throws {
        let allowed = allowed(from: from, heldFrom: heldFrom)
        guard allowed.contains(to) else {
            let names = allowed.map(\.rawValue)
            let list = names.isEmpty ? "none" : names.joined(separator: ", ")
            throw KesuError(
                .illegalTransition,
                "A complaint in \(from.rawValue) cannot move to \(to.rawValue); allowed: \(list).",
                details: ["allowed": names])
        }
    }
}

/// What closing a complaint needs: a resolution summary, a responsible party and a root cause.
public struct ClosureRecord: Sendable, Equatable {
    public var resolutionSummary: String?
    public var responsibleParty: ResponsibleParty?
    public var rootCause: String?

    public init(resolutionSummary: String?, responsibleParty: ResponsibleParty?, rootCause: String?) {
        self.resolutionSummary = resolutionSummary
        self.responsibleParty = responsibleParty
        self.rootCause = rootCause
    }

    /// The names of the fields still missing, in the API's spelling.
    public var missingFields: [String] {
        var missing: [String] = []
        if resolutionSummary?.trimmed.isEmpty ?? true { missing.append("resolutionSummary") }
        if responsibleParty == nil { missing.append("responsibleParty") }
        if rootCause?.trimmed.isEmpty ?? true { missing.append("rootCause") }
        return missing
    }

    /// Throws ``KesuError/Code/missingFields`` when anything closing needs is missing.
    public func requireComplete() throws {
        let missing = missingFields
        guard missing.isEmpty else {
            throw KesuError(
                .missingFields, "Closing a complaint needs \(missing.joined(separator: ", ")).",
                details: ["missing": missing])
        }
    }
}

extension String {
    /// The string without leading and trailing white space.
    public var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
