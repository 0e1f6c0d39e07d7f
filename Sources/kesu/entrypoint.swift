import Foundation
import KesuServer

do {
    try await KesuMain.run()
} catch {
    FileHandle.standardError.write(Data("kesu: \(error)\n".utf8))
    exit(1)
}
