/// The actor Liftoff records for what it does by itself (guardrail firings, automatic promotions, retention
/// purges, deliveries), beside the key names of people and machines in the audit log.
enum SystemActor {
    static let name = "liftoff"
}
