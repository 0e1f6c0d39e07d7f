import FluentPostgresDriver
import Foundation
import Logging
import Vapor
#if canImport(Glibc)
import Glibc
#endif

/// Runs start-up work that must happen once however many instances start together — migrations and the first
/// admin — while holding a lock every instance of the same database shares: a PostgreSQL advisory lock on a session
/// of its own (released by the database if the process dies), or an exclusive `flock` on a file beside the SQLite
/// database. The second instance waits, then finds the work done.
enum SetupLock {
    /// The advisory lock's key: "kesu" in ASCII.
    static let key: Int64 = 0x6B65_7375

    static func run<T: Sendable>(_ app: Application, config: AppConfig, _ body: () async throws -> T) async throws -> T {
        if let url = config.databaseURL {
            return try await onPostgres(url: url, app: app, body)
        }
        return try await onFile(config.dataDirectory + "/kesu.setup.lock", body)
    }

    private static func onPostgres<T: Sendable>(url: String, app: Application, _ body: () async throws -> T)
        async throws -> T
    {
        let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        let connection = try await PostgresConnection.connect(
            on: app.eventLoopGroup.next(), configuration: configuration, id: 0, logger: app.logger
        ).get()
        do {
            _ = try await connection.query("SELECT pg_advisory_lock(\(key))", logger: app.logger)
            let result = try await body()
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private static func onFile<T: Sendable>(_ path: String, _ body: () async throws -> T) async throws -> T {
        let fd = open(path, O_CREAT | O_RDWR, 0o600)
        guard fd >= 0 else { throw KesuSetupError("cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        defer { flock(fd, LOCK_UN) }
        return try await body()
    }
}

struct KesuSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
