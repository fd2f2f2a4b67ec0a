import Testing
import TurboStream

@Suite struct StreamEnvelopeTests {
    @Test(arguments: [
        (StreamEnvelope.append(target: "messages", html: "<p>hi</p>"),
         #"<turbo-stream action="append" target="messages"><template><p>hi</p></template></turbo-stream>"#),
        (StreamEnvelope.remove(target: "message-1"),
         #"<turbo-stream action="remove" target="message-1"></turbo-stream>"#),
        (StreamEnvelope.scroll(target: "messages"),
         #"<turbo-stream action="scroll" target="messages"></turbo-stream>"#),
        (StreamEnvelope(.update, .selector(".thinking[data-x=\"1\"]"), html: "x"),
         #"<turbo-stream action="update" targets=".thinking[data-x=&quot;1&quot;]"><template>x</template></turbo-stream>"#),
        (StreamEnvelope.replace(target: "a\"><script>", html: ""),
         #"<turbo-stream action="replace" target="a&quot;&gt;&lt;script&gt;"><template></template></turbo-stream>"#),
    ])
    func rendersPlainTurbo(envelope: StreamEnvelope, html: String) {
        #expect(envelope.rendered == html)
    }

    @Test func everyBuilderNamesItsActionAndTarget() {
        let html = "<p>x</p>"
        let byID: [(StreamEnvelope, StreamAction)] = [
            (.append(target: "t", html: html), .append), (.prepend(target: "t", html: html), .prepend),
            (.replace(target: "t", html: html), .replace), (.update(target: "t", html: html), .update),
            (.remove(target: "t"), .remove), (.before(target: "t", html: html), .before),
            (.after(target: "t", html: html), .after), (.scroll(target: "t"), .scroll),
        ]
        let bySelector: [(StreamEnvelope, StreamAction)] = [
            (.append(targets: ".t", html: html), .append), (.prepend(targets: ".t", html: html), .prepend),
            (.replace(targets: ".t", html: html), .replace), (.update(targets: ".t", html: html), .update),
            (.remove(targets: ".t"), .remove), (.before(targets: ".t", html: html), .before),
            (.after(targets: ".t", html: html), .after),
        ]
        for (envelope, action) in byID {
            #expect(envelope.rendered.hasPrefix("<turbo-stream action=\"\(action.rawValue)\" target=\"t\">"))
            #expect(envelope.rendered.contains("<template>") == action.carriesTemplate)
        }
        for (envelope, action) in bySelector {
            #expect(envelope.rendered.hasPrefix("<turbo-stream action=\"\(action.rawValue)\" targets=\".t\">"))
        }
        #expect(Set(byID.map(\.1)) == Set(StreamAction.allCases))
    }

    @Test func severalEnvelopesRenderInOrder() {
        let frame = StreamEnvelope.render([.remove(target: "a"), .remove(target: "b")])
        #expect(frame == #"<turbo-stream action="remove" target="a"></turbo-stream><turbo-stream action="remove" target="b"></turbo-stream>"#)
    }
}

@Suite struct HTMLEscapingTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        ("a & b \"c\"", "a &amp; b &quot;c&quot;"),
        ("ünïcödé 🙂", "ünïcödé 🙂"),
    ])
    func escapes(input: String, expected: String) {
        #expect(HTML.escape(input) == expected)
    }
}
