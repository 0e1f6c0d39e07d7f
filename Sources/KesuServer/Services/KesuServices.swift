import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// What every handler shares: the configuration, the clock, the ID generator, the writer and the SLA settings.
package struct KesuServices: Sendable {
    package let config: AppConfig
    package let clock: any KesuCore.Clock
    package let ids: IDGenerator
    package let writer: Writer
    package let clockSettings: ClockSettingsCache
    /// 智能分类 — the category model every intake asks when no category is given.
    package let triage: TriageModel

    package init(config: AppConfig, clock: any KesuCore.Clock, triage: TriageModel) {
        self.config = config
        self.triage = triage
        self.clock = clock
        self.ids = IDGenerator(clock: clock)
        self.writer = Writer(serialised: !config.usesPostgres)
        self.clockSettings = ClockSettingsCache()
    }

    /// Now, to the millisecond (how Kesu stores times).
    package func now() -> Date { clock.now().roundedToMillis }

    /// The SLA policies and business calendar in force.
    package func clockSettings(on db: any Database) async throws -> ClockSettings {
        try await clockSettings.settings(on: db, timeZone: config.timeZone, now: clock.now())
    }
}

extension Application {
    private struct ServicesKey: StorageKey {
        typealias Value = KesuServices
    }

    /// The application's shared services; set by `configure`.
    package var kesu: KesuServices {
        get {
            guard let services = storage[ServicesKey.self] else {
                preconditionFailure("configure(_:) sets the services before anything runs")
            }
            return services
        }
        set { storage[ServicesKey.self] = newValue }
    }
}
