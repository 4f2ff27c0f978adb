/// Finds the second occurrence of a duplicated mapping key, which Yams does not report (its error marks the
/// first). Block mappings: the next line, before the mapping ends (a line indented less than the key), that
/// has the same key at the same column. Flow mappings (`{ a: 1, a: 2 }`): the next `key:` after the first
/// on the same line.
enum DuplicateKeyLocator {
    /// Line and column (1-based, as Yams counts) of the second occurrence of `key`, or nil when not found.
    static func secondOccurrence(of key: String, after first: (line: Int, column: Int), in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let keyCharacters = Array(key)
        func isKey(at index: Int, in line: [Character]) -> Bool {
            guard index >= 0, index + keyCharacters.count <= line.count,
                  Array(line[index..<(index + keyCharacters.count)]) == keyCharacters else { return false }
            var rest = index + keyCharacters.count
            while rest < line.count, line[rest] == " " { rest += 1 }
            return rest < line.count && line[rest] == ":"
        }
        // A flow mapping on the key's own line.
        let own = lines[first.line - 1]
        let firstIndex = first.column - 1
        if firstIndex + keyCharacters.count < own.count {
            var index = firstIndex + keyCharacters.count
            while index < own.count {
                let boundary = index == 0 || [" ", "{", ","].contains(own[index - 1])
                if boundary && isKey(at: index, in: own) { return (first.line, index + 1) }
                index += 1
            }
        }
        // A block mapping: same column on a later line, until a line indented less (a new list item or a
        // parent's key) ends the mapping.
        for lineIndex in first.line..<lines.count {
            let line = lines[lineIndex]
            let spaces = line.prefix { $0 == " " }.count
            if spaces == line.count || line[spaces] == "#" { continue }
            if spaces < firstIndex { return nil }
            if spaces == firstIndex && isKey(at: firstIndex, in: line) { return (lineIndex + 1, first.column) }
        }
        return nil
    }
}
