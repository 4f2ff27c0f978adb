/// The body of `POST /v1/audience/invite`: 1 to 1000 user ids.
public struct InviteRequest: Codable, Sendable {
    public var userIds: [String]
    public init(userIds: [String]) { self.userIds = userIds }
}

/// The answer to an invitation: who was newly invited, how many the phase has now, and its maximum.
public struct InviteAnswer: Codable, Sendable {
    public var invited: [String]
    public var phaseInvitations: Int
    public var max: Int
    public init(invited: [String], phaseInvitations: Int, max: Int) {
        self.invited = invited
        self.phaseInvitations = phaseInvitations
        self.max = max
    }
}

/// The body of `POST /v1/waitlist`.
public struct JoinRequest: Codable, Sendable {
    public var userId: String
    public init(userId: String) { self.userId = userId }
}

/// A place on the waitlist: 1-based `position`, `status` `waiting` or `admitted`.
public struct JoinAnswer: Codable, Sendable {
    public var userId: String
    public var position: Int
    public var status: String
    public init(userId: String, position: Int, status: String) {
        self.userId = userId
        self.position = position
        self.status = status
    }
}

/// The body of `POST /v1/waitlist/admit`: how many (1 to 10000; the plan's batch when absent).
public struct AdmitRequest: Codable, Sendable {
    public var count: Int?
    public init(count: Int? = nil) { self.count = count }
}

/// Who was admitted, how many the phase has admitted in all, and its cap.
public struct AdmitAnswer: Codable, Sendable {
    public var admitted: [String]
    public var phaseAdmissions: Int
    public var cap: Int
    public init(admitted: [String], phaseAdmissions: Int, cap: Int) {
        self.admitted = admitted
        self.phaseAdmissions = phaseAdmissions
        self.cap = cap
    }
}
