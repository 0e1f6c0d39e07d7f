import Foundation
import KesuCore

/// Where Kesu's page templates (`Views/`), public files (`Public/`) and word catalogs (`Locales/`) are: the folder `KESU_RESOURCES_DIR` names,
/// or the resource bundle the build places beside the binary — never the working directory, so the binary serves
/// the same pages wherever it is started. Start-up refuses when neither holds them.
package struct ResourceFolder: Sendable {
    package let root: URL
    package var views: String { root.appendingPathComponent("Views").path + "/" }
    package var publicFiles: String { root.appendingPathComponent("Public").path + "/" }
    package var locales: String { root.appendingPathComponent("Locales").path }
    /// The triage model (`model.tsv`) and the corpus it was trained on (`corpus.tsv`).
    package var triage: URL { root.appendingPathComponent("Triage") }

    /// The triage model the folder ships; start-up stops when it is missing or damaged.
    package func triageModel() throws -> TriageModel {
        let url = triage.appendingPathComponent("model.tsv")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw KesuError(.invalidInput, "Kesu cannot start: the triage model \(url.path) is missing.")
        }
        return try TriageModel(file: String(decoding: data, as: UTF8.self))
    }

    /// The bundle SwiftPM builds for this target's resources.
    static let bundleName = "kesu_KesuServer.resources"
    /// A template every page needs; its presence proves the folder is Kesu's.
    static let probe = "Views/base.leaf"

    package static func locate(_ config: AppConfig) throws -> ResourceFolder {
        var candidates: [URL] = []
        if let given = config.resourcesDirectory {
            candidates = [URL(fileURLWithPath: given)]
        } else {
            candidates.append(Bundle.main.bundleURL.appendingPathComponent(bundleName))
            // The running executable's own folder, symbolic links resolved (Bundle.main can be the test runner's).
            let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            candidates.append(exe.deletingLastPathComponent().appendingPathComponent(bundleName))
            for bundle in Bundle.allBundles where bundle.bundleURL.lastPathComponent.hasSuffix(".xctest") {
                candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent(bundleName))
            }
        }
        for url in candidates where FileManager.default.fileExists(atPath: url.appendingPathComponent(probe).path)
            && FileManager.default.fileExists(atPath: url.appendingPathComponent("Public").path)
            && FileManager.default.fileExists(atPath: url.appendingPathComponent("Locales").path) {
            return ResourceFolder(root: url.standardizedFileURL)
        }
        let looked = candidates.map(\.path).joined(separator: ", ")
        throw KesuError(.invalidInput, "Kesu cannot start: its templates and public files (Views/, Public/, Locales/) are not in "
                        + looked + ". Keep \(bundleName) beside the binary, or set KESU_RESOURCES_DIR.")
    }
}
