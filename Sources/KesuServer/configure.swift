import SQLKit
import SQLiteNIO
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
    let resources = try ResourceFolder.locate(config)
    app.directory.viewsDirectory = resources.views
    app.directory.publicDirectory = resources.publicFiles
    try LocaleCatalog.install(from: resources.locales)
    app.kesu = KesuServices(config: config, clock: clock, triage: try resources.triageModel())
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
        // Another instance starting on the same file may hold it for a moment: wait up to ten seconds.
        if let sql = app.db as? any SQLDatabase {
            for attempt in 1...200 {
                do {
                    try await sql.raw("PRAGMA journal_mode=WAL").run()
                    break
                } catch let error as SQLiteError where error.reason == .busy && attempt < 200 {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }
    }
    app.migrations.add(Migrations.all)

    app.middleware = .init()
    app.middleware.use(RequestLogMiddleware(level: .debug))
    app.middleware.use(APIErrorMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory))
    // Pages render through `req.view`, which Leaf builds from `app.leaf` for every request. The templates come from
    // the resource folder, sandboxed to it (but not "visible files only", which would refuse a bundle under `.build/`);
    // the parsed templates are kept unless asked to reload them.
    app.leaf.configuration = LeafConfiguration(rootDirectory: resources.views)
    app.leaf.sources = .singleSource(NIOLeafFiles(fileio: app.fileio, limits: [.toSandbox, .requireExtensions],
                                                  sandboxDirectory: resources.views, viewDirectory: resources.views))
    app.leaf.cache.isEnabled = !config.reloadTemplates
    app.leaf.tags["t"] = TextTag()
    // Not `.leaf`, whose provider turns the (shared) cache off in the development environment.
    app.views.use { app in
        LeafRenderer(configuration: app.leaf.configuration, tags: app.leaf.tags, cache: app.leaf.cache,
                     sources: app.leaf.sources, eventLoop: app.eventLoopGroup.next(),
                     userInfo: app.leaf.userInfo.merging(["application": app]) { $1 })
    }
    try routes(app)

    app.asyncCommands.use(DemoDataCommand(), as: "demo-data")
    app.asyncCommands.use(UserCommand(), as: "user")
    app.asyncCommands.use(SchedulerCommand(), as: "scheduler")
    app.asyncCommands.use(MailInCommand(), as: "mail-in")
    app.asyncCommands.use(OutboxCommand(), as: "outbox")
    app.asyncCommands.use(TriageCommand(), as: "triage")
}
