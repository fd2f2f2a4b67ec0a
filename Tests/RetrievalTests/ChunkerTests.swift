// The chunker across formats: sizes, overlap, splitting, and the invariants every document's chunks keep.
// The per-format suites (ChunkerMarkdownTests.swift, …) are nested in ChunkerTests, so `--filter ChunkerTests` runs
// them all.

import Testing
@testable import Retrieval

@Suite struct ChunkerTests {
    static let chunker = Chunker()

    /// Parses `text`; records an issue (and returns an empty document) when it is taken for binary.
    static func parse(
        _ text: String, _ format: DocumentFormat, with chunker: Chunker = chunker, fallbackTitle: String = "fallback"
    ) -> ParsedDocument {
        guard let document = try? chunker.parse(Array(text.utf8), format: format, fallbackTitle: fallbackTitle) else {
            Issue.record("taken for binary: \(text.prefix(80))")
            return ParsedDocument(title: "", chunks: [])
        }
        checkInvariants(document, chunker)
        return document
    }

    /// The invariants every parse keeps: ordinals 0, 1, 2…; no chunk empty or blank; every chunk's text at most
    /// `maxCharacters + overlapCharacters` Unicode scalars (so at most that many Characters too).
    static func checkInvariants(_ document: ParsedDocument, _ chunker: Chunker) {
        #expect(document.chunks.map(\.ordinal) == Array(document.chunks.indices))
        for chunk in document.chunks {
            #expect(chunk.text.contains { !$0.isWhitespace }, "blank chunk #\(chunk.ordinal)")
            #expect(
                chunk.text.unicodeScalars.count <= chunker.maxCharacters + chunker.overlapCharacters,
                "chunk #\(chunk.ordinal) has \(chunk.text.unicodeScalars.count) scalars"
            )
        }
    }

    static func words(_ text: some StringProtocol) -> [Substring] {
        text.split(whereSeparator: \.isWhitespace).map { Substring($0) }
    }

    /// `count` sentences of about 60 characters, numbered so each is distinct.
    static func sentences(_ count: Int, from first: Int = 0) -> String {
        (first..<first + count).map { "Sentence number \($0) tells a small part of the longer story here." }
            .joined(separator: " ")
    }

    // MARK: Sizes and overlap

    @Test func aLongParagraphIsSplitAtSentencesAndConsecutiveChunksOverlap() {
        let document = Self.parse(Self.sentences(60), .text)
        #expect(document.chunks.count >= 3)
        for (previous, chunk) in zip(document.chunks, document.chunks.dropFirst()) {
            #expect(chunk.text.hasPrefix("Sentence number "), "overlap starts a sentence: \(chunk.text.prefix(40))")
            #expect(chunk.text.hasSuffix("."))
            // The overlap is the previous chunk's last sentence(s), repeated at the start of this one.
            let firstOwn = chunk.text.firstRange(of: ". Sentence number ")!
            let overlap = chunk.text[..<firstOwn.lowerBound] + "."
            #expect(previous.text.hasSuffix(overlap))
            #expect(overlap.unicodeScalars.count <= Self.chunker.overlapCharacters)
            #expect(overlap.unicodeScalars.count >= Self.chunker.overlapCharacters / 3)
        }
    }

    @Test func chunksAreFilledTowardTheTarget() {
        let document = Self.parse(Self.sentences(200), .text)
        for chunk in document.chunks.dropLast() {
            #expect(chunk.text.unicodeScalars.count >= 800, "\(chunk.text.unicodeScalars.count)")
        }
    }

    @Test func aBlockWithoutSentencesIsSplitBetweenWordsNeverInsideOne() {
        let vocabulary = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
        let text = (0..<900).map { vocabulary[$0 % vocabulary.count] + String($0) }.joined(separator: " ")
        let document = Self.parse(text, .text)
        let known = Set(Self.words(text))
        #expect(document.chunks.count > 3)
        for chunk in document.chunks {
            for word in Self.words(chunk.text) { #expect(known.contains(word), "cut word \(word)") }
        }
        #expect(Set(document.chunks.flatMap { Self.words($0.text) }) == known)
    }

    @Test func aWordLongerThanAChunkIsCutAtScalarBoundaries() {
        let text = String(repeating: "é", count: 3000)
        let document = Self.parse(text, .text)
        #expect(document.chunks.count >= 3)
        #expect(document.chunks.allSatisfy { $0.text.allSatisfy { $0 == "é" } })
    }

    @Test(arguments: [
        Chunker(targetCharacters: 200, maxCharacters: 260, overlapCharacters: 40),
        Chunker(targetCharacters: 500, maxCharacters: 500, overlapCharacters: 0),
        Chunker(),
        Chunker(targetCharacters: 2000, maxCharacters: 3000, overlapCharacters: 300),
    ])
    func invariantsHoldForAnySizes(chunker: Chunker) {
        let samples: [(String, DocumentFormat)] = [
            (ChunkerTests.Markdown.guide, .markdown),
            (Self.sentences(100), .text),
            (ChunkerTests.RestructuredText.guide, .restructuredText),
            (ChunkerTests.HTML.page, .html),
        ]
        for (text, format) in samples {
            let document = Self.parse(text, format, with: chunker)
            #expect(!document.chunks.isEmpty)
        }
    }

    // MARK: No words lost

    @Test(arguments: [
        (ChunkerTests.Markdown.guide, DocumentFormat.markdown),
        (Self.sentences(80) + "\n\n" + Self.sentences(5, from: 100) + "\n\n    indented code line\n", .text),
        ("# Title\n\nIntro.\n\n## A\n\n" + Self.sentences(40) + "\n\n### B\n\n- one\n- two\n\n## C\n\nEnd.", .markdown),
    ])
    func everyWordOfTheBodyIsInSomeChunk(text: String, format: DocumentFormat) {
        let document = Self.parse(text, format)
        let body = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in
                !line.hasPrefix("#") && !(format == .text && line == document.title)
                    && !(line.count > 2 && line.allSatisfy { $0 == "-" || $0 == "=" })  // setext underlines
            }
            .joined(separator: "\n")
        let chunked = Set(document.chunks.flatMap { Self.words($0.text) })
        let missing = Self.words(body).filter { !chunked.contains($0) }
        #expect(missing.isEmpty, "missing \(missing.prefix(10))")
    }

    // MARK: Sections

    @Test func aTinySectionGoesWithItsFirstChildButNotWithASibling() {
        let document = Self.parse(
            "# Module\n\nSource code: mod.py\n\n## Usage\n\nCall it.\n\n## Other\n\nTiny.\n\n## Last\n\nMore.",
            .markdown
        )
        #expect(document.chunks.map(\.headingPath) == [["Usage"], ["Other"], ["Last"]])
        #expect(document.chunks.map(\.text) == ["Source code: mod.py\n\nCall it.", "Tiny.", "More."])
    }

    @Test func emptySectionsMakeNoChunks() {
        let document = Self.parse("# T\n\n## A\n\n## B\n\nText.\n\n## C\n", .markdown)
        #expect(document.chunks.map(\.headingPath) == [["B"]])
    }

    @Test func ordinalsRunAcrossTheWholeDocument() {
        let text = (0..<6).map { "## Part \($0)\n\n" + Self.sentences(45, from: $0 * 100) }.joined(separator: "\n\n")
        let document = Self.parse(text, .markdown)
        #expect(document.chunks.count > 12)
        #expect(document.chunks.map(\.ordinal) == Array(0..<document.chunks.count))
        // Overlap stays inside a section: a section's first chunk starts with its own first sentence.
        for part in 0..<6 {
            let first = document.chunks.first { $0.headingPath == ["Part \(part)"] }
            #expect(first?.text.hasPrefix("Sentence number \(part * 100) ") == true)
        }
    }
}
