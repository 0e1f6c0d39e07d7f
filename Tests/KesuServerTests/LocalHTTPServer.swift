import Vapor

/// A Vapor application listening on a free port of 127.0.0.1, the ground the fake third-party servers stand on.
struct LocalHTTPServer {
    let app: Application
    let port: Int

    /// Starts a server with the routes `routes` adds.
    static func start(_ routes: (Application) throws -> Void) async throws -> LocalHTTPServer {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .error
        try routes(app)
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        return LocalHTTPServer(app: app, port: app.http.server.shared.localAddress?.port ?? 0)
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}
