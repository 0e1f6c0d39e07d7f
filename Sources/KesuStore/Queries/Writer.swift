import FluentKit

/// Runs write transactions. On SQLite, one process writes at a time (SQLite has one writer), so write
/// transactions queue here instead of failing with SQLITE_BUSY; on PostgreSQL they run side by side.
package struct Writer: Sendable {
    private let gate: AsyncGate?

    /// - Parameter serialised: true for SQLite.
    package init(serialised: Bool) {
        gate = serialised ? AsyncGate() : nil
    }

    /// Runs `body` in one transaction, committed before this returns.
    package func write<T: Sendable>(
        on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        guard let gate else { return try await db.transaction(body) }
        return try await gate.run { try await db.transaction(body) }
    }
}

/// A first-come-first-served async mutex.
package actor AsyncGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    package init() {}

    package func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
