#if canImport(Glibc)
import Glibc
#endif
@testable import Retrieval
import Testing
import TestSupport

/// Uploads into the documents folder: safe names, ingestion's limits, nothing visible before the whole file, a
/// taken name never replaced, nothing left behind when dropped.
@Suite struct UploadFileTests {
    func entries(_ folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    @Test(arguments: [
        ("Staff handbook.pdf", "Staff handbook.pdf"), ("C:\\Users\\ada\\notes.md", "notes.md"),
        ("../../etc/passwd.txt", "passwd.txt"), (".hidden.md", "hidden.md"), ("a<b>\"c\".md", "a_b__c_.md"),
        ("Café menu.docx", "Café menu.docx"), ("", ""),
    ])
    func namesAreMadeSafe(given: String, safe: String) {
        #expect(UploadFile.safeName(given) == safe)
    }

    @Test func aFileAppearsOnlyWhenWholeAndNeverReplacesAnother() throws {
        try withTemporaryDirectory { folder in
            try writeFile(folder + "/notes.md", Array("old".utf8))
            let file = try UploadFile(fileName: "notes.md", folder: folder, textLimit: 100, packedLimit: 1000)
            #expect(Array("# New".utf8).withUnsafeBytes { file.write($0) })
            #expect(entries(folder).count == 2 && entries(folder).contains("notes.md"), "only the hidden file is new")
            #expect(file.finish() == "notes (2).md")
            #expect(entries(folder) == ["notes (2).md", "notes.md"])
        }
    }

    @Test func tooLargeUnreadableOrDroppedLeavesNothing() throws {
        try withTemporaryDirectory { folder in
            let text = try UploadFile(fileName: "big.txt", folder: folder, textLimit: 4, packedLimit: 1000)
            #expect(!Array("12345".utf8).withUnsafeBytes { text.write($0) })
            #expect(text.tooLarge.reason.contains("larger than"))
            let dropped = try UploadFile(fileName: "half.pdf", folder: folder, textLimit: 4, packedLimit: 1000)
            #expect(Array("%PDF-1.7".utf8).withUnsafeBytes { dropped.write($0) }, "PDFs get the packed limit")
            dropped.discard()
            #expect(entries(folder).isEmpty)
            #expect(throws: UploadFile.Refusal.self) {
                try UploadFile(fileName: "old.doc", folder: folder, textLimit: 4, packedLimit: 4)
            }
            #expect(throws: UploadFile.Refusal.self) {
                try UploadFile(fileName: "x.md", folder: folder + "/missing", textLimit: 4, packedLimit: 4)
            }
        }
    }
}
