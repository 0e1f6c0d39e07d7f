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
        if let code = TriageCLI.runStandalone(env.arguments, config: config) { exit(code) }
        if env.arguments.dropFirst().first == "mail-in" {
            return try await mailIn(env, config: config)
        }
        let app = try await Application.make(env)
        do {
            let clock: any KesuCore.Clock = ProcessInfo.processInfo.environment["KESU_CLOCK_OFFSET_FILE"]
                .flatMap { $0.isEmpty ? nil : OffsetFileClock(path: $0) } ?? SystemClock()
            try await configure(app, config: config, clock: clock)
            let command = env.arguments.dropFirst().first ?? "serve"
            // Instances started together migrate and create the first admin one at a time; the later ones find it done.
            let logins = try await SetupLock.run(app, config: config) {
                try await app.autoMigrate()
                return command == "serve" ? try await Bootstrap.run(app, demo: demo) : []
            }
            if command == "serve" {
                printWelcome(address: listenAddress(config: config, arguments: env.arguments), config: config,
                             logins: logins, demo: demo)
                // Clock warnings and breaches fire in the background of every serving instance.
                app.lifecycle.use(BackgroundLoop.scheduler)
                // Notifications leave through the work queue; e-mail (and, next, SMS and WeChat) through the outbox.
                app.lifecycle.use(BackgroundLoop.jobs)
                app.lifecycle.use(BackgroundLoop.outbox)
            }
            try await app.execute()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// `kesu mail-in`: whatever stops it storing the message now — the database down, a migration it cannot take —
    /// exits 75 so the MTA keeps the message and tries again; only a message that can never be stored exits 65.
    static func mailIn(_ env: Environment, config: AppConfig) async throws {
        var code = MailInCommand.tempFail
        do {
            let app = try await Application.make(env)
            do {
                try await configure(app, config: config, clock: SystemClock())
                try await SetupLock.run(app, config: config) { try await app.autoMigrate() }
                try await app.execute()
                code = MailInCommand.exitCode.withLockedValue { $0 }
            } catch {
                FileHandle.standardError.write(Data("kesu mail-in: cannot store the message now (\(type(of: error))); try again later\n".utf8))
            }
            try? await app.asyncShutdown()
        } catch {
            FileHandle.standardError.write(Data("kesu mail-in: cannot start (\(type(of: error))); try again later\n".utf8))
        }
        exit(code)
    }

    /// Where `serve` will listen: the configuration, overridden by `--hostname`/`-H`, `--port`/`-p` or `--bind`/`-b`
    /// as Vapor's serve command reads them.
    package static func listenAddress(config: AppConfig, arguments: [String]) -> String {
        var host = config.host
        var port = String(config.port)
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let flag = arguments[index]
            let value = arguments.index(after: index) < arguments.endIndex ? arguments[arguments.index(after: index)] : nil
            var (name, inline) = (flag, String?.none)
            if let eq = flag.firstIndex(of: "="), flag.hasPrefix("--") {
                (name, inline) = (String(flag[..<eq]), String(flag[flag.index(after: eq)...]))
            }
            let given = inline ?? value
            switch name {
            case "--hostname", "-H": if let given { host = given }
            case "--port", "-p": if let given { port = given }
            case "--bind", "-b":
                if let given, let colon = given.lastIndex(of: ":") {
                    host = String(given[..<colon])
                    port = String(given[given.index(after: colon)...])
                }
            default: index += 1; continue
            }
            index += inline == nil ? 2 : 1
        }
        return "http://\(host):\(port)"
    }

    static func printWelcome(address: String, config: AppConfig, logins: [Bootstrap.Login], demo: Bool) {
        var lines = ["", "Kesu 客诉 is starting at \(address)",
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
