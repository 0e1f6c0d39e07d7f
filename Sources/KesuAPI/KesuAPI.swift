package import Foundation

/// The OpenAPI document Kesu is generated from, served at `GET /api/openapi.yaml`.
package enum OpenAPIDocument {
    /// The document's bytes, read from the module's resources.
    package static func load() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }
}
