import PostgresNIO

/// A statement built piece by piece, for the queries whose filters are optional: every value is a bind
/// (`$1`, `$2`, …), never spliced into the text.
struct SQLBuilder {
    private(set) var sql: String
    private var binds = PostgresBindings()

    init(_ sql: String) { self.sql = sql }

    /// Appends `text` to the statement.
    mutating func append(_ text: String) { sql += text }

    /// Binds `value` and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Binds `value` (NULL when nil) and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    var count: Int { binds.count }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
