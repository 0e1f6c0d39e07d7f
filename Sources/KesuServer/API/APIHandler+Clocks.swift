import Fluent
import Foundation
import KesuAPI
import KesuCore
import KesuStore
import Vapor

extension APIHandler {
    func sla() throws -> SLAService { SLAService(services: app.kesu, db: try db) }

    // MARK: Promises and notifications

    package func addPromise(_ input: Operations.AddPromise.Input) async throws -> Operations.AddPromise.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let complaint = try await sla().promise(input.path.number, due: body.dueAt, note: body.note, by: actor)
        let clocks = try await ClockStore.clocks(of: try complaint.requireID(), on: try db)
        return .created(.init(body: .json(try .init(complaint, for: actor, clocks: clocks, now: app.kesu.now()))))
    }

    package func listNotifications(_ input: Operations.ListNotifications.Input) async throws
        -> Operations.ListNotifications.Output
    {
        let actor = try RequestContext.requireActor()
        let (items, unread) = try await sla().notifications(
            for: actor, unreadOnly: input.query.unread ?? false, limit: input.query.limit ?? 50)
        let language = Language.accepted(by: RequestContext.request?.headers.first(name: .acceptLanguage))
        let texts = NoticeText(language: language, format: PageFormat(language: language, timeZone: app.kesu.config.timeZone))
        return .ok(.init(body: .json(.init(items: items.map { .init($0, text: texts.text(of: $0)) }, unreadCount: unread))))
    }

    package func markNotificationsRead(_ input: Operations.MarkNotificationsRead.Input) async throws
        -> Operations.MarkNotificationsRead.Output
    {
        let actor = try RequestContext.requireActor()
        var ids: [UUID]?
        if case .json(let body) = input.body, let given = body.ids {
            ids = try given.map { text in
                guard let id = UUID(uuidString: text) else {
                    throw KesuError.invalid("ids must be notification ids.", fields: ["ids": ["malformed"]])
                }
                return id
            }
        }
        let unread = try await sla().markRead(ids, for: actor)
        return .ok(.init(body: .json(.init(unreadCount: unread))))
    }

    // MARK: Policies

    package func listPolicies(_ input: Operations.ListPolicies.Input) async throws -> Operations.ListPolicies.Output {
        _ = try RequestContext.requireActor()
        return .ok(.init(body: .json(try await sla().policies().map(Components.Schemas.SlaPolicy.init))))
    }

    package func createPolicy(_ input: Operations.CreatePolicy.Input) async throws -> Operations.CreatePolicy.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let row = try await sla().savePolicy(id: nil, try Self.rule(body), by: actor)
        return .created(.init(body: .json(try .init(row))))
    }

    package func updatePolicy(_ input: Operations.UpdatePolicy.Input) async throws -> Operations.UpdatePolicy.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        guard let id = UUID(uuidString: input.path.id) else { throw KesuError.notFound("No policy \(input.path.id.prefix(40)).") }
        let row = try await sla().savePolicy(id: id, try Self.rule(body), by: actor)
        return .ok(.init(body: .json(try .init(row))))
    }

    package func deletePolicy(_ input: Operations.DeletePolicy.Input) async throws -> Operations.DeletePolicy.Output {
        let actor = try RequestContext.requireActor()
        guard let id = UUID(uuidString: input.path.id) else { throw KesuError.notFound("No policy \(input.path.id.prefix(40)).") }
        try await sla().deletePolicy(id, by: actor)
        return .noContent(.init())
    }

    /// A policy rule from the API's minutes and percentages; the figures are checked by KesuCore.
    static func rule(_ body: Components.Schemas.SlaPolicyInput) throws -> PolicyRule {
        let standard = ClockPolicy.standard
        let policy = ClockPolicy(
            firstReply: TimeInterval(body.firstReplyMinutes) * 60,
            resolution: TimeInterval(body.resolutionMinutes) * 60,
            regulator: TimeInterval(body.regulatorDays ?? 10) * 86_400,
            warnFraction: Double(body.warnPercent ?? 80) / 100,
            pauseStatuses: Set(try (body.pauseStatuses ?? [.onHold]).map { try convert($0, to: ComplaintStatus.self) }),
            businessTime: body.businessTime ?? false,
            warnActions: Set(try (body.warnActions ?? []).map { try convert($0, to: EscalationAction.self) })
                .union(body.warnActions == nil ? standard.warnActions : []),
            breachActions: Set(try (body.breachActions ?? []).map { try convert($0, to: EscalationAction.self) })
                .union(body.breachActions == nil ? standard.breachActions : []))
        return PolicyRule(id: "", category: try body.category.map { try convert($0) },
                          priority: try body.priority.map { try convert($0) },
                          channel: try body.channel.map { try convert($0) }, policy: policy)
    }

    // MARK: Calendar

    package func getCalendar(_ input: Operations.GetCalendar.Input) async throws -> Operations.GetCalendar.Output {
        _ = try RequestContext.requireActor()
        return .ok(.init(body: .json(try await calendarBody())))
    }

    package func setCalendarHours(_ input: Operations.SetCalendarHours.Input) async throws
        -> Operations.SetCalendarHours.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        var hours: [Int: String] = [:]
        for entry in body {
            guard hours[entry.weekday] == nil else {
                throw KesuError.refused("Each weekday once.", fields: ["weekday": ["\(entry.weekday) given twice"]])
            }
            hours[entry.weekday] = entry.hours
        }
        try await sla().setHours(hours, by: actor)
        return .ok(.init(body: .json(try await calendarBody())))
    }

    package func setCalendarDay(_ input: Operations.SetCalendarDay.Input) async throws
        -> Operations.SetCalendarDay.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let workday: Bool? = switch body.kind {
        case .holiday: false
        case .workday: true
        case .normal: nil
        }
        try await sla().setDay(input.path.day, workday: workday, name: body.name, by: actor)
        return .ok(.init(body: .json(try await calendarBody())))
    }

    func calendarBody() async throws -> Components.Schemas.BusinessCalendar {
        let (weekly, days) = try await sla().calendar()
        return .init(
            timeZone: app.kesu.config.timeZone.identifier,
            weeklyHours: weekly.sorted { $0.key < $1.key }.map { .init(weekday: $0.key, hours: $0.value.description) },
            days: days.map { .init(day: $0.day.description, kind: $0.workday ? .workday : .holiday, name: $0.name) })
    }

    // MARK: Report

    package func slaReport(_ input: Operations.SlaReport.Input) async throws -> Operations.SlaReport.Output {
        let actor = try RequestContext.requireActor()
        let q = input.query
        let lines = try await sla().report(from: q.from, to: q.to, perOutlet: q.groupBy?.rawValue != "none", by: actor)
        return .ok(.init(body: .json(.init(from: q.from, to: q.to, rows: lines.map(Components.Schemas.SlaReportRow.init)))))
    }
}

extension Components.Schemas.Notification {
    init(_ n: NotificationRow, text: String) {
        self.init(id: n.id.uuidString, kind: n.kind, text: text, complaintNumber: n.complaintNumber,
                  createdAt: n.createdAt, readAt: n.readAt)
    }
}

extension Components.Schemas.SlaPolicy {
    init(_ row: PolicyRow) throws {
        let p = row.rule.policy
        self.init(
            id: row.id.uuidString, category: try row.rule.category.map { try convert($0) },
            priority: try row.rule.priority.map { try convert($0) }, channel: try row.rule.channel.map { try convert($0) },
            firstReplyMinutes: Int(p.firstReply / 60), resolutionMinutes: Int(p.resolution / 60),
            regulatorDays: Int(p.regulator / 86_400), warnPercent: Int((p.warnFraction * 100).rounded()),
            pauseStatuses: try p.pauseStatuses.map(\.rawValue).sorted().map { try stored($0) },
            businessTime: p.businessTime, warnActions: p.warnActions.map(\.rawValue).sorted(),
            breachActions: p.breachActions.map(\.rawValue).sorted(), updatedAt: row.updatedAt)
    }
}

extension Components.Schemas.SlaReportRow {
    init(_ line: SLAService.ReportLine) {
        let f = line.figures
        func minutes(_ t: TimeInterval?) -> Double? { t.map { ($0 / 60 * 10).rounded() / 10 } }
        self.init(
            group: line.group, name: line.name, complaints: f.complaints, firstReplyMet: f.firstReplyMet,
            firstReplyDue: f.firstReplyDue, firstReplyShare: f.firstReplyShare,
            firstReplyMedianMinutes: minutes(f.firstReplyMedian), firstReplyP90Minutes: minutes(f.firstReplyP90),
            resolutionMet: f.resolutionMet, resolutionDue: f.resolutionDue, resolutionShare: f.resolutionShare,
            resolutionMedianMinutes: minutes(f.resolutionMedian), resolutionP90Minutes: minutes(f.resolutionP90),
            breaches: f.breaches, regulatorOverdue: f.regulatorOverdue)
    }
}

extension Components.Schemas.Clock {
    init(_ s: StoredClock, now: Date) throws {
        let c = s.clock
        self.init(kind: try convert(c.kind), startedAt: c.startedAt, dueAt: c.dueAt, warnAt: c.warnAt,
                  state: try convert(c.state(at: now)), pausedFor: c.pausedFor, businessTime: c.businessTime,
                  warnedAt: c.warnedAt, metAt: c.metAt, breachedAt: c.breachedAt, note: s.note)
    }
}
