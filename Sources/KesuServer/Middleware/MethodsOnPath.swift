import RoutingKit
import Vapor

/// The methods the routes offer on a request's path, so that a known path asked with another method is answered
/// 405 with an `Allow` header instead of 404.
enum MethodsOnPath {
    /// The other methods routed on this path (sorted), or nil when no route has it.
    static func allowed(for request: Request) -> [String]? {
        let segments = request.url.path.split(separator: "/").map(String.init)
        var methods: Set<String> = []
        for route in request.application.routes.all where matches(route.path, segments) {
            methods.insert(route.method.rawValue)
        }
        methods.remove(request.method.rawValue)
        return methods.isEmpty ? nil : methods.sorted()
    }

    private static func matches(_ path: [PathComponent], _ segments: [String]) -> Bool {
        var index = 0
        for component in path {
            switch component {
            case .catchall:
                return index < segments.count
            case .constant(let name):
                guard index < segments.count, segments[index] == name else { return false }
            case .parameter, .anything:
                guard index < segments.count else { return false }
            }
            index += 1
        }
        return index == segments.count
    }
}
