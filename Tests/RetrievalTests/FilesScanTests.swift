// The walk over the documents folder (`Files.scan`): resolved paths, and what links may and may not bring in.

import Testing
import TestSupport
@testable import Retrieval
#if canImport(Glibc)
import Glibc
#endif

@Suite struct FilesScanTests {
    /// docs/ with a.md, sub/b.txt, a link to a file inside, a link to a file outside, a linked folder, a hidden
    /// file, and the folder itself reached through a link.
    private func layout(_ base: String) throws -> (docs: String, viaLink: String) {
        let docs = base + "/docs", outside = base + "/outside"
        mkdir(docs, 0o755)
        mkdir(docs + "/sub", 0o755)
        mkdir(outside, 0o755)
        try writeFile(docs + "/a.md", Array("# A\n".utf8))
        try writeFile(docs + "/sub/b.txt", Array("b\n".utf8))
        try writeFile(docs + "/.hidden.md", Array("hidden\n".utf8))
        try writeFile(outside + "/secret.txt", Array("secret\n".utf8))
        symlink(docs + "/sub/b.txt", docs + "/inside-link.txt")
        symlink(outside + "/secret.txt", docs + "/outside-link.txt")
        symlink(outside, docs + "/linked-folder")
        symlink(docs, base + "/docs-link")
        return (docs, base + "/docs-link")
    }

    @Test func filesAreFoundByTheirResolvedPathsAndLinksLeadOnlyInsideTheFolder() throws {
        try withTemporaryDirectory { base in
            let real = try #require(Files.realPath(base))
            let (docs, viaLink) = try layout(base)
            for root in [docs, viaLink, docs + "/"] {
                let (found, skipped, missing) = Files.scan([root])
                // The link to b.txt inside the folder is b.txt itself: found once, under its own path.
                #expect(found.map(\.path) == [real + "/docs/a.md", real + "/docs/sub/b.txt"], "root \(root)")
                #expect(found.map(\.format) == [.markdown, .text])
                #expect(skipped == [SkippedFile(path: root + (root.hasSuffix("/") ? "" : "/") + "outside-link.txt",
                                                reason: "a link to a file outside the folder (not followed)")],
                        "root \(root)")
                #expect(missing.isEmpty)
            }
        }
    }

    @Test func aFileGivenByItsOwnPathIsReadEvenThroughALinkAndAMissingOneIsReported() throws {
        try withTemporaryDirectory { base in
            let real = try #require(Files.realPath(base))
            let (docs, _) = try layout(base)
            let (found, skipped, missing) = Files.scan([docs + "/outside-link.txt", docs + "/nothing.md"])
            #expect(found.map(\.path) == [real + "/outside/secret.txt"])
            #expect(skipped.isEmpty)
            #expect(missing == [docs + "/nothing.md"])
        }
    }

    @Test func sizesAndModificationTimesAreTheFilesOwn() throws {
        try withTemporaryDirectory { base in
            let (docs, _) = try layout(base)
            var times = [timespec(tv_sec: 1_700_000_000, tv_nsec: 123_456_789), timespec(tv_sec: 1_700_000_000, tv_nsec: 123_456_789)]
            utimensat(AT_FDCWD, docs + "/a.md", &times, 0)
            let a = try #require(Files.scan([docs]).found.first)
            #expect(a.size == 4)
            #expect(a.modifiedAt == 1_700_000_000_123_456_789)
        }
    }
}
