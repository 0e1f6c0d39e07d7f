import AsyncKit
import NIOCore
import NIOPosix
import PostgresNIO
import SQLiteNIO

/// Whether an error means the database cannot be reached or used just now — the server is down, the pool has no
/// connection to give, the file is locked or unreadable — rather than anything the request did. Such a request is
/// answered 503 with `Retry-After`, never as a wrong password or a logged-out session.
enum DatabaseOutage {
    static func matches(_ error: any Error) -> Bool {
        switch error {
        case let e as PSQLError:
            switch e.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown, .poolClosed, .clientClosedConnection:
                return true
            case .server:
                // 08: connection exceptions; 53: insufficient resources; 57P01–03: shut down, starting up.
                let state = e.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || state.hasPrefix("53") || ["57P01", "57P02", "57P03"].contains(state)
            default:
                return false
            }
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is NIOConnectionError, is ChannelError:
            return true
        case let e as SQLiteError:
            return [.busy, .busyTimeout, .busyInRecovery, .locked, .cantOpen, .ioError, .full, .notADatabase, .corrupt].contains(e.reason)
        case let e as IOError:
            return [ECONNREFUSED, ECONNRESET, EHOSTUNREACH, ENETUNREACH, ETIMEDOUT, EPIPE].contains(e.errnoCode)
        default:
            return false
        }
    }
}
