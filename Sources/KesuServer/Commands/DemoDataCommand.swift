import Fluent
import Foundation
import KesuCore
import Vapor

/// `kesu demo-data --complaints N` — fills the database with N realistic complaints, with a progress bar.
struct DemoDataCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "complaints", short: "n", help: "How many complaints to generate (default 1000).")
        var complaints: Int?
        @Option(name: "days", help: "Spread them over this many days back from now (default 365).")
        var days: Int?
        @Option(name: "seed", help: "Random seed, for the same data again (default: random).")
        var seed: Int?
        @Option(name: "parcels", help: "Also this many problem parcels, with a fine for every twentieth (default 0).")
        var parcels: Int?
        init() {}
    }

    var help: String { "Generates realistic demo complaints (with shipments and timelines) for trials and scale tests." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let count = signature.complaints ?? 1_000
        let days = signature.days ?? 365
        guard (1...20_000_000).contains(count), (1...3_650).contains(days) else {
            throw KesuError.invalid("--complaints must be 1 to 20,000,000 and --days 1 to 3,650.")
        }
        let app = context.application
        _ = try await Bootstrap.run(app, demo: true)
        let started = Date()
        let console = context.console
        var generator = DemoComplaints(app: app, seed: UInt64(signature.seed ?? Int.random(in: 1...Int.max)))
        try await generator.generate(count: count, spreadDays: days) { done in
            let width = 30
            let filled = width * done / count
            let rate = Double(done) / max(Date().timeIntervalSince(started), 0.001)
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data(String(format: "\r%@ %d/%d  %.0f/s", bar, done, count, rate).utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))
        console.print(String(format: "Generated %d complaints in %.1f s.", count, Date().timeIntervalSince(started)))
        let parcels = signature.parcels ?? 0
        guard parcels > 0 else { return }
        guard parcels <= 20_000_000 else { throw KesuError.invalid("--parcels must be at most 20,000,000.") }
        let parcelsStarted = Date()
        var load = DemoOutletLoad(app: app, random: SplitMix64(seed: UInt64(signature.seed ?? 1) &+ 3))
        try await load.generate(parcels: parcels) { done in
            FileHandle.standardError.write(Data("\r\(done)/\(parcels) problem parcels".utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))
        console.print(String(format: "Generated %d problem parcels in %.1f s.", parcels, Date().timeIntervalSince(parcelsStarted)))
    }
}
