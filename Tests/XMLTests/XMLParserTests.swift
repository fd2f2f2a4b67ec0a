import Testing
import XML

/// Collects what a parse reports, as lines: `<name a=v>`, `</name>`, `"text"`.
final class Recorder: XMLContentHandler {
    var events: [String] = []
    var text = ""
    var stopAfter: String?
    private(set) var stopRequested = false

    func startElement(_ tag: XMLStartTag) {
        let attributes = tag.attributes.map { " \($0.localName)=\($0.value)" }.joined()
        events.append("<\(tag.name.localName)\(attributes)>")
        if tag.name.localName == stopAfter { stopRequested = true }
    }

    func endElement(_ name: XMLName) { events.append("</\(name.localName)>") }

    func characters(_ text: XMLText) {
        self.text += text.string
        events.append("\"\(text.string)\"")
    }
}

@Suite struct XMLParserTests {
    @Test func htmlIsReadAsABrowserWouldWithEntitiesDecoded() {
        let recorder = Recorder()
        XMLParser.parseHTML(Array("<P CLASS=x>caf&eacute; &amp; <b>tea<p>two".utf8), handler: recorder)
        #expect(recorder.events.contains("<p class=x>"))
        #expect(recorder.text.contains("café & "))
        #expect(recorder.text.contains("two"))
        // The unclosed <p> is closed when the next one opens.
        let firstClose = recorder.events.firstIndex(of: "</p>")!
        let secondOpen = recorder.events.lastIndex(of: "<p>")!
        #expect(firstClose < secondOpen)
    }

    @Test func scriptAndStyleAreNeverText() {
        let recorder = Recorder()
        XMLParser.parseHTML(Array("<body><script>var x = '</div>';</script><style>p{}</style>ok</body>".utf8),
                            handler: recorder)
        #expect(recorder.text == "ok")
    }

    @Test func xmlWithNamespacesAndAttributes() throws {
        let recorder = Recorder()
        let xml = #"<w:document xmlns:w="urn:w"><w:p w:val="Heading1">A &lt; B</w:p></w:document>"#
        try XMLParser.parseXML(Array(xml.utf8), handler: recorder)
        #expect(recorder.events.first == "<document>")
        #expect(recorder.events.contains("<p val=Heading1>"))
        #expect(recorder.text == "A < B")
    }

    @Test func entityDeclarationsAreRefusedNotExpanded() {
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <lolz>&lol2;</lolz>
            """
        let recorder = Recorder()
        #expect(throws: XMLError.entityDeclaration("lol")) { try XMLParser.parseXML(Array(bomb.utf8), handler: recorder) }
        #expect(!recorder.text.contains("lol"))
    }

    @Test func externalEntitiesAreNeverRead() {
        let xxe = """
            <?xml version="1.0"?>
            <!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
            <r>&secret;</r>
            """
        let recorder = Recorder()
        #expect(throws: XMLError.self) { try XMLParser.parseXML(Array(xxe.utf8), handler: recorder) }
        #expect(!recorder.text.contains("root"))
    }

    @Test func malformedXMLThrowsWithTheLine() {
        let recorder = Recorder()
        do {
            try XMLParser.parseXML(Array("<a>\n<b></a>".utf8), handler: recorder)
            Issue.record("no error")
        } catch {
            guard case .malformed(let detail) = error else { Issue.record("\(error)"); return }
            #expect(detail.hasPrefix("line 2"))
        }
    }

    @Test func aHandlerCanStopEarly() throws {
        let recorder = Recorder()
        recorder.stopAfter = "stop"
        try XMLParser.parseXML(Array("<r><stop/><after/>".utf8), handler: recorder)
        #expect(!recorder.events.contains("<after>"))
    }
}
