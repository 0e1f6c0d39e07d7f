import SQLKit
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import LeafKit
import KesuCore
import KesuStore
import Vapor

/// Sets up the application: database, migrations, services, middleware, routes and commands.
package func configure(_ app: Application, config: AppConfig, clock: any KesuCore.Clock = SystemClock()) async throws {
    app.kesu = KesuServices(config: config, clock: clock)
    app.throttle = Throttle()
    app.http.server.configuration.hostname = config.host
    app.http.server.configuration.port = config.port
    app.routes.defaultMaxBodySize = ByteCount(value: config.maxBodyBytes)

    if let url = config.databaseURL {
        try app.databases.use(.postgres(url: url), as: .psql)
    } else {
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(config.sqlitePath)), as: .sqlite)
        // WAL lets readers run beside the one writer; the setting lives in the file.
        if let sql = app.db as? any SQLDatabase {
            try await sql.raw("PRAGMA journal_mode=WAL").run()
        }
    }
    app.migrations.add(Migrations.all)

    app.middleware = .init()
    app.middleware.use(RequestLogMiddleware(level: .debug))
    app.middleware.use(APIErrorMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))
    // Leaf's own provider re-reads and re-parses every template on every page outside the production environment;
    // Kesu keeps the parsed templates unless asked to reload them.
    let reload = config.reloadTemplates
    app.views.use { app in
        let leaf = app.leaf
        var cache = leaf.cache
        cache.isEnabled = !reload
        var userInfo = leaf.userInfo
        userInfo["application"] = app
        return LeafRenderer(configuration: leaf.configuration, tags: leaf.tags, cache: cache, sources: leaf.sources,
                            eventLoop: app.eventLoopGroup.next(), userInfo: userInfo)
    }
    try routes(app)

    app.asyncCommands.use(DemoDataCommand(), as: "demo-data")
    app.asyncCommands.use(UserCommand(), as: "user")
    app.asyncCommands.use(SchedulerCommand(), as: "scheduler")
}
