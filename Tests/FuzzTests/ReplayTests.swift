import FuzzHarness
import TestSupport
import Testing

/// Every fuzzer's corpus (tools/fuzz/corpus/<target>), the readers' fixtures, and every crash the fuzzers have found
/// (Crashes/<target>, kept once fixed), replayed through the same checks the fuzzers make: a broken promise traps.
@Suite struct ReplayTests {
    /// The repository's root, from this file's path.
    static let root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")

    static func inputs(of target: FuzzTarget) -> [String] {
        let folders = ["tools/fuzz/corpus/\(target.rawValue)", "Tests/FuzzTests/Crashes/\(target.rawValue)"]
            + target.fixtureFolders
        return folders.flatMap { files(in: "\(root)/\($0)") }
    }

    @Test(arguments: FuzzTarget.allCases)
    func corpusAndCrashesReplay(_ target: FuzzTarget) {
        let inputs = Self.inputs(of: target)
        #expect(!inputs.isEmpty, "tools/fuzz/corpus/\(target.rawValue) has seeds")
        for input in inputs { target.run(readFile(input)) }
    }
}
