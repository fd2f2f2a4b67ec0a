// ParseArena: the memory block parses for ingestion take from, and CMark.topLevelBlocks, which parses with it.

@testable import Markdown
import Testing

@Suite struct ParseArenaTests {
    /// Growing the last allocation keeps its address; growing an earlier one copies it; freeing the last gives its
    /// room to the next; everything is zeroed as `calloc` promises.
    @Test func growsInPlaceCopiesOtherwiseAndReusesTheLast() {
        CMark.withArena {
            let first = ParseArena.zeroed(4, 8)!
            first.storeBytes(of: 0x1122_3344, as: Int.self)
            let grown = ParseArena.resize(first, 100)!
            #expect(grown == first)
            #expect(grown.load(as: Int.self) == 0x1122_3344)

            let second = ParseArena.zeroed(1, 64)!
            #expect(UnsafeRawBufferPointer(start: second, count: 64).allSatisfy { $0 == 0 })
            let moved = ParseArena.resize(grown, 500)!
            #expect(moved != grown)
            #expect(moved.load(as: Int.self) == 0x1122_3344)

            ParseArena.release(moved)
            let reused = ParseArena.zeroed(1, 16)!
            #expect(reused == moved)
            #expect(reused.load(as: Int.self) == 0)
        }
    }

    /// An allocation larger than a quarter block comes from the C library and goes back to it, through any
    /// number of resizes, and its bytes survive each.
    @Test func largeAllocationsLeaveTheBlocks() {
        CMark.withArena {
            let small = ParseArena.zeroed(1, 32)!
            var large = ParseArena.resize(nil, ParseArena.largestInBlock + 1)!
            large.storeBytes(of: 42, toByteOffset: ParseArena.largestInBlock, as: UInt8.self)
            large = ParseArena.resize(large, 4 * ParseArena.blockBytes)!
            #expect(large.load(fromByteOffset: ParseArena.largestInBlock, as: UInt8.self) == 42)
            // Shrunk back under the limit, it moves into a block, its first bytes with it.
            large.storeBytes(of: 7, as: UInt8.self)
            large = ParseArena.resize(large, 16)!
            #expect(large.load(as: UInt8.self) == 7)
            #expect(large == small + 48)
            ParseArena.release(large)
        }
    }

    /// A document that needs many blocks gets them, and after its parse the arena keeps only `keptBlocks`.
    @Test func keepsFewBlocksAfterALargeDocument() {
        let section = "## Part\n\nSome *text* with `code` and [a link](x).\n\n- one\n- two\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n"
        let markdown = String(repeating: section, count: 20_000)
        let blocks = Markdown.sourceBlocks(markdown)
        #expect(blocks.count == 80_000)
        #expect(CMark.withArena { ParseArena.blockCount } <= ParseArena.keptBlocks)
    }

    /// The blocks read with the arena are those read with cmark-gfm's own allocator, for documents with huge
    /// paragraphs, code blocks and tables (whose buffers leave the blocks), headings with inline markup, and
    /// nothing at all.
    @Test(arguments: [
        "",
        "# Title\n\nOne\ntwo.\n\n## Part `x` **y** [z](u) ![i](j) &amp; \\*\n",
        String(repeating: "word ", count: 40_000) + "\n\n# After\n",
        "```\n" + String(repeating: "let x = 1\n", count: 20_000) + "```\n\ntext\n",
        "| a | b |\n| - | - |\n" + String(repeating: "| 1 | two |\n", count: 10_000) + "\nafter\n",
        String(repeating: "- item\n  - nested *emphasis* ~~gone~~\n    > quote\n", count: 3_000),
        String(repeating: "Title\n=====\n\n<div>\nraw\n</div>\n\n---\n\n", count: 2_000),
    ])
    func sameBlocksAsTheLibrarysAllocator(markdown: String) {
        var text = markdown
        text.withUTF8 { bytes in
            let arena = CMark.topLevelBlocks(bytes)
            let library = CMark.parse(bytes, forBlocks: true).topLevelBlocks()
            #expect(arena.count == library.count)
            #expect(zip(arena, library).allSatisfy {
                $0.kind == $1.kind && $0.text == $1.text && $0.startLine == $1.startLine && $0.lineBreaks == $1.lineBreaks
            })
        }
    }

    /// Block parses on several threads at once, beside renders (which use the library's allocator), each get what
    /// one thread alone gets.
    @Test func blockParsesAndRendersOnManyThreads() async {
        let documents = (0..<8).map { index in
            String(repeating: "# Heading \(index)\n\nText *\(index)* www.example.com ~~x~~\n\n| a |\n| - |\n| \(index) |\n\n",
                   count: 50 + 40 * index)
        }
        let expectedBlocks = documents.map { Markdown.sourceBlocks($0) }
        let expectedHTML = documents.map { Markdown.html($0) }
        await withTaskGroup(of: Bool.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    (0..<20).allSatisfy { round in
                        let index = (worker + round) % documents.count
                        return worker % 2 == 0 ? Markdown.sourceBlocks(documents[index]) == expectedBlocks[index]
                            : Markdown.html(documents[index]) == expectedHTML[index]
                    }
                }
            }
            for await allEqual in group {
                #expect(allEqual)
            }
        }
    }
}
