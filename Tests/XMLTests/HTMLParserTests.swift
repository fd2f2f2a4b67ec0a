// HTML as libxml2's pull parser reads it: a document starting with an end tag, UTF-8 whatever the page declares.

import Testing
import XML

@Suite struct HTMLParserTests {
    static func text(_ html: String) -> String {
        let recorder = Recorder()
        XMLParser.parseHTML(Array(html.utf8), handler: recorder)
        return recorder.text
    }

    @Test(arguments: [
        // libxml2 2.9's push parser reported nothing at all for a document that starts with an end tag.
        ("</p></div>stray closers<li>item", "stray closersitem"),
        ("</p>text", "text"),
        // Without a declared encoding the first non-ASCII byte made libxml2 guess Latin-1 ("cafÃ©").
        ("<p>café</p>", "café"),
        // The bytes are UTF-8 whatever the page says.
        ("<html><head><meta charset=\"iso-8859-1\"></head><body><p>café ☕</p>", "café ☕"),
        ("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"><p>naïve</p>", "naïve"),
        ("", ""),
    ])
    func textAsABrowserReadsIt(html: String, text: String) {
        #expect(Self.text(html) == text)
    }

    @Test(arguments: [
        ("a b", "a", true), ("a b", "b", true), (" a\tb\n", "b", true), ("ab", "a", false), ("a-b", "a", false),
        ("", "a", false), ("headerlink", "headerlink", true),
    ])
    func classesAreSpaceSeparated(classes: String, name: String, has: Bool) {
        let tag = XMLStartTag(name: XMLName(localName: "p", namespace: nil),
                              attributes: [XMLAttribute(localName: "class", namespace: nil, value: classes)])
        #expect(tag.hasClass(name) == has)
    }
}
