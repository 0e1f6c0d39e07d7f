import FluentKit
import SQLKit

/// Runs write transactions, each committed before `write` returns.
///
/// On PostgreSQL every call is its own transaction. On SQLite, which has one writer and pays for durability at
/// each commit, calls that arrive while a transaction is running wait, and then run together in the next one
/// (group commit): each in its own savepoint, so one that fails is rolled back alone and the others commit.
package struct Writer: Sendable {
    private let group: GroupCommitter?

    /// - Parameter serialised: true for SQLite.
    package init(serialised: Bool) {
        group = serialised ? GroupCommitter() : nil
    }

    /// Runs `body` in a transaction, committed before this returns. `body` must not call `write` itself.
    package func write<T: Sendable>(
        on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        guard let group else { return try await db.transaction(body) }
        return try await group.submit(on: db, body)
    }
}

/// Collects write jobs and runs them in shared transactions, one batch at a time.
actor GroupCommitter {
    /// A caller's work: `run` executes it in the batch's transaction and hands back how to answer the caller once
    /// the batch has committed or failed; `fail` answers a caller whose work never ran.
    private struct Job: Sendable {
        let db: any Database
        let run: @Sendable (any Database) async -> (failed: Bool, answer: @Sendable ((any Error)?) -> Void)
        let fail: @Sendable (any Error) -> Void
    }

    private var queue: [Job] = []
    private var draining = false
    /// The most jobs one transaction holds, so no caller waits behind an unbounded batch.
    private let maxBatch = 256

    func submit<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T)
        async throws -> T
    {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            queue.append(Job(
                db: db,
                run: { tx in
                    do {
                        let value = try await body(tx)
                        return (false, { commitError in
                            if let commitError {
                                continuation.resume(throwing: commitError)
                            } else {
                                continuation.resume(returning: value)
                            }
                        })
                    } catch {
                        return (true, { _ in continuation.resume(throwing: error) })
                    }
                },
                fail: { continuation.resume(throwing: $0) }))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(maxBatch))
            queue.removeFirst(batch.count)
            let ran = Answers()
            do {
                try await batch[0].db.transaction { tx in
                    let sql = try tx.sql
                    for job in batch {
                        try await sql.raw("SAVEPOINT kesu_job").run()
                        let (failed, answer) = await job.run(tx)
                        ran.list.append(answer)
                        if failed { try await sql.raw("ROLLBACK TO kesu_job").run() }
                        try await sql.raw("RELEASE kesu_job").run()
                    }
                }
                for answer in ran.list { answer(nil) }
            } catch {
                // The transaction itself failed: nothing of the batch was committed; every caller hears so.
                for answer in ran.list { answer(error) }
                for job in batch.dropFirst(ran.list.count) { job.fail(error) }
            }
        }
        draining = false
    }
}

/// The answers of the jobs a batch has run so far; filled one by one inside the batch's transaction.
private final class Answers: @unchecked Sendable {
    var list: [@Sendable ((any Error)?) -> Void] = []
}
