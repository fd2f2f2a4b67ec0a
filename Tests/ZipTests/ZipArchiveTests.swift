import Testing
import TestSupport
import Zip

@Suite struct ZipArchiveTests {
    @Test func entriesAndTheirBytes() throws {
        let archive = try ZipArchive(bytes: fixture("small.zip"))
        #expect(archive.entries.map(\.name) == ["mimetype", "dir/text.xml"])
        #expect(String(decoding: try archive.read("mimetype", limit: 100), as: UTF8.self) == "application/test")
        #expect(try archive.read("dir/text.xml", limit: 1 << 20).count == 6007)
    }

    @Test func aMissingEntryIsNamed() throws {
        let archive = try ZipArchive(bytes: fixture("small.zip"))
        #expect(throws: ZipError.missingEntry("word/document.xml")) { try archive.read("word/document.xml", limit: 100) }
    }

    @Test func anEntryPastItsLimitIsRefused() throws {
        let archive = try ZipArchive(bytes: fixture("small.zip"))
        #expect(throws: ZipError.entryTooLarge("dir/text.xml", limit: 1000)) { try archive.read("dir/text.xml", limit: 1000) }
    }

    @Test func theArchiveBudgetBoundsAllReadsTogether() throws {
        let archive = try ZipArchive(bytes: fixture("small.zip"), budget: 7000)
        _ = try archive.read("dir/text.xml", limit: 1 << 20)
        #expect(throws: ZipError.self) { try archive.read("dir/text.xml", limit: 1 << 20) }
    }

    /// 8 MiB of zeros packed into 8 KB: refused by its ratio, having inflated no more than the limit.
    @Test func aZipBombIsRefused() throws {
        let archive = try ZipArchive(bytes: fixture("bomb.zip"))
        #expect(throws: ZipError.suspiciousRatio("word/document.xml")) {
            try archive.read("word/document.xml", limit: 64 << 20)
        }
        #expect(throws: ZipError.entryTooLarge("word/document.xml", limit: 1 << 20)) {
            try archive.read("word/document.xml", limit: 1 << 20)
        }
    }

    @Test func truncatedAndForeignBytesAreRefused() {
        #expect(throws: ZipError.self) { try ZipArchive(bytes: fixture("truncated.zip")) }
        #expect(throws: ZipError.notZip) { try ZipArchive(bytes: Array("%PDF-1.7 not a zip at all".utf8)) }
    }
}
