import Fluent
import Foundation
import KesuCore
import Logging
import Vapor

/// Starts Kesu: reads the configuration, migrates, prepares an empty database, then runs the command
/// (`serve` by default; `serve --demo` seeds the demo company on an empty database).
package enum KesuMain {
    package static func run() async throws {
        var arguments = CommandLine.arguments
        let demo = arguments.contains("--demo")
        arguments.removeAll { $0 == "--demo" }
        var env = try Environment.detect(arguments: arguments)
        try LoggingSystem.bootstrap(from: &env)
        let config: AppConfig
        do {
            config = try AppConfig.fromEnvironment()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(2)
        }
        let app = try await Application.make(env)
        do {
            try await configure(app, config: config)
            try await app.autoMigrate()
            let command = env.arguments.dropFirst().first ?? "serve"
            if command == "serve" {
                let logins = try await Bootstrap.run(app, demo: demo)
                printWelcome(config: config, logins: logins, demo: demo)
                // Clock warnings and breaches fire in the background of every serving instance.
                app.lifecycle.use(SchedulerLoop())
            }
            try await app.execute()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    static func printWelcome(config: AppConfig, logins: [Bootstrap.Login], demo: Bool) {
        var lines = ["", "Kesu 客诉 is starting at http://\(config.host):\(config.port)",
                     "Database: " + (config.usesPostgres ? "PostgreSQL (DATABASE_URL)" : "SQLite \(config.sqlitePath)")]
        if !logins.isEmpty {
            lines.append(demo ? "Demo logins (username / password / role / unit):" : "First admin login — shown once:")
            for login in logins {
                lines.append("  \(login.username)  /  \(login.password)  /  \(login.role.rawValue)  /  \(login.unit)")
            }
            lines.append("API: POST /api/v1/auth/token {\"username\",\"password\"}; document at /api/openapi.yaml")
        }
        // Written unbuffered, so the logins show at once even when the output goes to a pipe or file.
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n\n").utf8))
    }
}
