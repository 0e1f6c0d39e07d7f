import FluentKit
import SQLKit

/// 任务队列: one table of background jobs and outbound messages. A job runs when `run_at` has come; a worker
/// that claims it moves `run_at` to the end of its lease, so a job whose worker died is claimed again once the
/// lease is over.
struct CreateJobs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("jobs")
            .id()
            .field("kind", .string, .required)
            .field("idempotency_key", .string, .required)
            .field("payload", .string, .required)
            .field("state", .string, .required)
            .field("attempts", .int, .required)
            .field("run_at", .datetime, .required)
            .field("leased_by", .string)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("finished_at", .datetime)
            .unique(on: "idempotency_key")
            .create()
        // The workers' one query reads only jobs still to run.
        try await database.sql.raw("""
            CREATE INDEX jobs_ready ON jobs (run_at) WHERE state IN ('queued', 'running')
            """).run()
        try await database.createIndex("jobs_state", on: "jobs", "state", "created_at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("jobs").delete()
    }
}
