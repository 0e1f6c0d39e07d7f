import Fluent
import Foundation
import KesuCore
import KesuStore

/// 考核看板 — per courier, outlet, region or agent for a period: complaints, problem parcels (settled within the lapse,
/// lapsed), fines (appealed, revoked), first replies and resolutions in time, satisfaction — worst first. Scoped: an
/// outlet sees itself and its couriers, a region its outlets, HQ everyone.
package struct PerformanceService {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    /// The columns a table may be sorted by, each with what "worse" means for it.
    package enum Sort: String, CaseIterable, Sendable {
        case complaints, lapsed, fines, firstReply = "first_reply", resolution, satisfaction

        func worse(_ a: PerformanceLine, _ b: PerformanceLine) -> Bool {
            func share(_ n: Int, _ of: Int) -> Double { of == 0 ? 2 : Double(n) / Double(of) }
            switch self {
            case .complaints: return a.complaints > b.complaints
            case .lapsed: return a.parcelsLapsed > b.parcelsLapsed
            case .fines: return a.finesFen > b.finesFen
            case .firstReply: return share(a.firstRepliesInTime, a.firstReplies) < share(b.firstRepliesInTime, b.firstReplies)
            case .resolution: return share(a.resolutionsInTime, a.resolutions) < share(b.resolutionsInTime, b.resolutions)
            case .satisfaction: return share(a.satisfied, a.followUps) < share(b.satisfied, b.followUps)
            }
        }
    }

    /// The lines of `level` under the actor's unit for `period`, sorted worst first by `sort` (then by code).
    package func table(_ level: PerformanceLevel, period: Range<Date>, sort: Sort, for actor: Actor) async throws
        -> [PerformanceLine]
    {
        try actor.require(.viewFines)
        let path = actor.unitPath.rawValue
        let units = try await OrgStore.all(on: db).filter { $0.path.hasPrefix(path) }
        var found = try await PerformanceStore.lines(level, under: path, period: period, now: services.now(), on: db)
        var lines: [PerformanceLine]
        switch level {
        case .courier, .outlet:
            let kinds: Set<String> = level == .courier ? [UnitKind.courier.rawValue]
                : [UnitKind.outlet.rawValue, UnitKind.transferCentre.rawValue]
            lines = units.filter { kinds.contains($0.kind) }.compactMap { unit in
                guard let id = unit.id else { return nil }
                var line = found.removeValue(forKey: id) ?? PerformanceLine(key: id)
                line.code = unit.code
                line.name = unit.name
                return line
            }
        case .region:
            let regions = units.filter { $0.kind == UnitKind.region.rawValue }
            lines = regions.compactMap { region in
                guard let id = region.id else { return nil }
                var line = PerformanceLine(key: id)
                line.code = region.code
                line.name = region.name
                for outlet in units where outlet.path.hasPrefix(region.path) && outlet.id != region.id {
                    if let id = outlet.id, let figures = found[id] { line.add(figures) }
                }
                return line
            }
        case .agent:
            let users = try await UserModel.query(on: db).with(\.$unit).all().filter {
                [Role.agent.rawValue, Role.supervisor.rawValue].contains($0.role) && $0.unit.path.hasPrefix(path)
            }
            lines = users.compactMap { user in
                guard let id = user.id else { return nil }
                var line = found.removeValue(forKey: id) ?? PerformanceLine(key: id)
                line.code = user.username
                line.name = user.displayName
                return line
            }
        }
        return lines.sorted { sort.worse($0, $1) || (!sort.worse($1, $0) && $0.code < $1.code) }
    }
}
