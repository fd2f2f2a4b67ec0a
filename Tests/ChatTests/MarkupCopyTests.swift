@testable import Chat
import Markdown
import Store
import Testing
import TurboStream

/// The Copy buttons: one after each answer that has text, one before each code block's code, under the one name
/// the page's script looks for.
@Suite struct MarkupCopyTests {
    @Test func theMarkdownModuleAndTheWireNameTheCopyAttributeAlike() {
        #expect(Markdown.copyAttribute == Wire.Attribute.copy)
        #expect(Markdown.html("```\nx\n```\n").contains("<button type=\"button\" class=\"copy\" \(Wire.Attribute.copy)=\"\">"))
    }

    @Test func anAnswerWithTextEndsWithItsCopyButtonAndOneWithoutHasNone() {
        let copy = "<button type=\"button\" class=\"copy\" \(Wire.Attribute.copy)=\"7\"></button>"
        #expect(Markup.ending(id: 7, status: .complete, error: nil, sources: [], copy: true).hasPrefix(copy))
        #expect(Markup.ending(id: 7, status: .stopped, error: nil, sources: [], copy: true).hasPrefix(copy))
        #expect(!Markup.ending(id: 7, status: .error, error: "Cut off.", sources: [], copy: false).contains(copy))
    }
}
