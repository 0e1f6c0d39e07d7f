import KesuServer

try await KesuMain.run()
