import Foundation
import LiftoffCore
import Synchronization

/// Dashboard sessions: a random token in an HttpOnly, SameSite=Strict cookie, mapped in memory to the key
/// that logged in and a CSRF token for the session's forms. Sessions end with the process, at logout, after
/// `lifetime`, or when the key is revoked.
final class DashboardSessions: Sendable {
    struct Session: Sendable {
        var key: AuthenticatedKey
        var csrf: String
        var expires: Date
    }

    static let cookie = "liftoff_session"
    let lifetime: TimeInterval = 12 * 3600
    private let sessions = Mutex<[String: Session]>([:])

    func create(for key: AuthenticatedKey, now: Date) -> String {
        let token = APIKeySecret.generate()
        let csrf = APIKeySecret.generate()
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.expires > now }
            sessions[token] = Session(key: key, csrf: csrf, expires: now.addingTimeInterval(lifetime))
        }
        return token
    }

    func session(_ token: String?, now: Date) -> Session? {
        guard let token else { return nil }
        return sessions.withLock { sessions in
            guard let session = sessions[token], session.expires > now else { return nil }
            return session
        }
    }

    func end(_ token: String?) {
        guard let token else { return }
        _ = sessions.withLock { $0.removeValue(forKey: token) }
    }
}
