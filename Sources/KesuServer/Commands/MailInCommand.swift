import Fluent
import FluentSQLiteDriver
import Foundation
import KesuCore
import NIOConcurrencyHelpers
import Vapor

/// `kesu mail-in` — takes one e-mail on standard input, as an MTA's pipe transport runs it (Postfix `pipe`, like
/// Request Tracker's rt-mailgate), and answers with the exit code the MTA acts on: 0 stored (or dropped on
/// purpose), 65 never storable (the reason on standard error goes back in the bounce), 75 not now — the MTA
/// keeps the message and tries again.
struct MailInCommand: AsyncCommand {
    struct Signature: CommandSignature { init() {} }

    var help: String { "Takes one e-mail from standard input into Kesu (for an MTA's pipe transport)." }

    /// sysexits.h
    static let stored: Int32 = 0, dataError: Int32 = 65, tempFail: Int32 = 75
    /// The code `kesu` exits with once the command has run.
    static let exitCode = NIOLockedValueBox<Int32>(tempFail)

    func run(using context: CommandContext, signature: Signature) async throws {
        let bytes = Self.readInput(limit: MailLimits.messageBytes)
        guard bytes.count <= MailLimits.messageBytes else {
            Self.finish(Self.dataError, "the message is larger than \(MailLimits.messageBytes / 1_048_576) MB")
            return
        }
        let app = context.application
        let outcome = try await Self.retryingWhileBusy { try await MailIntake(services: app.kesu, db: app.db).take(bytes) }
        switch outcome {
        case .created(let number): Self.finish(Self.stored, "stored as \(number)")
        case .joined(let number): Self.finish(Self.stored, "added to \(number)")
        case .duplicate: Self.finish(Self.stored, "taken before")
        case .ignored(let why): Self.finish(Self.stored, "dropped: \(why)")
        case .refused(let why): Self.finish(Self.dataError, why)
        }
    }

    /// On SQLite another process (the server, another pipe) may hold the write lock at the moment a transaction that
    /// read first wants to write; SQLite answers busy rather than wait. Taking a message is idempotent (its
    /// Message-ID), so it is tried again for up to about ten seconds before the MTA is told to retry later.
    static func retryingWhileBusy<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await work()
            } catch let error as SQLiteError where [.busy, .busyInSnapshot, .busyInRecovery, .busyTimeout, .locked].contains(error.reason)
                && attempt < 40 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(50 + Int.random(in: 0...200)))
            }
        }
    }

    static func finish(_ code: Int32, _ message: String) {
        exitCode.withLockedValue { $0 = code }
        let out = code == stored ? FileHandle.standardOutput : FileHandle.standardError
        out.write(Data(("kesu mail-in: " + message + "\n").utf8))
    }

    /// Standard input, reading at most one byte past `limit`.
    static func readInput(limit: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        let input = FileHandle.standardInput
        while bytes.count <= limit {
            let chunk = input.readData(ofLength: min(1 << 20, limit + 1 - bytes.count))
            if chunk.isEmpty { break }
            bytes += chunk
        }
        return bytes
    }
}
