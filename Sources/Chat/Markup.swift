// The HTML the chat renders into the page (docs/front-end.md lists it): messages, the thinking steps, sources,
// the thread list, the stream source that moves a page to a new thread. Everything interpolated is escaped here;
// an answer's text arrives already rendered by the Markdown module (which never passes raw HTML through).
internal import Contracts
internal import Markdown
public import Store
internal import TurboStream
internal import Words

/// Renders the chat's markup.
public enum Markup {
    typealias ID = Wire.ElementID

    /// A question, as the person typed it: escaped, each line kept.
    static func question(id: Int64, text: String) -> String {
        let paragraphs = text.split(separator: "\n", omittingEmptySubsequences: false).map { HTML.escape($0) }
        return "<article id=\"\(ID.message(id))\" class=\"message\" data-role=\"user\">"
            + "<div id=\"\(ID.messageContent(id))\" class=\"content\"><p>\(paragraphs.joined(separator: "<br>"))</p></div>"
            + "</article>"
    }

    /// An answer in progress: its thinking open, its text so far (rendered blocks), the streaming marker.
    static func answerInProgress(id: Int64, steps: [String], reasoning: String, blocks: [String],
                                 words: Words = .english) -> String {
        "<article id=\"\(ID.message(id))\" class=\"message\" data-role=\"assistant\">"
            + thinking(id: id, steps: steps, reasoning: reasoning, open: true, summary: HTML.escape(words[.answerThinking]))
            + "<div id=\"\(ID.messageContent(id))\" class=\"content\">\(blocks.joined())</div>"
            + state(id: id, status: .streaming)
            + "</article>"
    }

    /// An answer that has ended: thinking collapsed, its text, what went wrong (with Retry), its sources.
    /// `contentHTML` is its text already rendered (kept from an earlier snapshot); nil renders it now.
    static func finishedAnswer(_ message: MessageRecord, sources: [SourceRecord], contentHTML: String? = nil,
                               words: Words = .english) -> String {
        let thought = Thinking(stored: message.thinking)
        let citations = citations(message: message.id, sources: sources)
        let content = contentHTML ?? Markdown.html(message.content, citations: citations)
        return "<article id=\"\(ID.message(message.id))\" class=\"message\" data-role=\"assistant\">"
            + thinking(id: message.id, steps: thought.steps, reasoning: thought.reasoning, open: false,
                       summary: summary(message.status, words: words))
            + "<div id=\"\(ID.messageContent(message.id))\" class=\"content\">\(content)</div>"
            + ending(id: message.id, status: message.status, error: message.error, sources: sources,
                     cited: citations.cited(in: content), copy: !message.content.isEmpty, words: words)
            + state(id: message.id, status: message.status)
            + "</article>"
    }

    /// What follows an ended answer's text: its Copy button (when it has text), the error and a Retry button
    /// (unless it completed), the sources.
    static func ending(id: Int64, status: MessageStatus, error: String?, sources: [SourceRecord], cited: Set<Int> = [],
                       copy: Bool, words: Words = .english) -> String {
        var out = copy ? copyButton(id: id) : ""
        if status != .complete {
            let why = error ?? (status == .stopped ? words[.answerStopped] : words[.answerDidNotFinish])
            out += "<p class=\"error\" role=\"alert\">\(HTML.escape(why))</p>"
            out += "<button type=\"button\" \(Wire.Attribute.retry)=\"\(id)\">\(HTML.escape(words[.answerRetry]))</button>"
        }
        return out + Self.sources(sources, message: id, cited: cited, words: words)
    }

    /// An answer's text as the page shows it once it has ended: rendered, its citations linked to `sources`.
    public static func answerHTML(_ text: String, message: Int64, sources: [SourceRecord]) -> String {
        Markdown.html(text, citations: citations(message: message, sources: sources))
    }

    /// What an answer's citation numbers lead to: number `n` to the reading view of its source of rank `n`, titled
    /// with the source's place ("Handbook › Leave, p. 12").
    static func citations(message: Int64, sources: [SourceRecord]) -> Markdown.Citations {
        Markdown.Citations(links: sources.sorted { $0.rank < $1.rank }.map { source in
            let heading = source.headingPath.isEmpty ? "" : " › \(source.headingPath)"
            let page = pageLabel(source.pages).map { ", \($0)" } ?? ""
            return .init(address: DocumentRoute.sourceAddress(message: message, rank: source.rank),
                         title: source.documentTitle + heading + page)
        })
    }

    /// The button that copies an answer's text (`Resources/quarry.js`); the stylesheet gives it its words, as it
    /// does the Copy button each code block starts with (`Markdown.copyAttribute`).
    static func copyButton(id: Int64) -> String {
        "<button type=\"button\" class=\"copy\" \(Wire.Attribute.copy)=\"\(id)\"></button>"
    }

    /// The sources of an answer: title (a link to the passage), heading path, page, relevance and excerpt, each
    /// escaped, numbered by rank as the answer's citations are. When the answer cited some (`cited`), those are
    /// listed first and the rest apart, as "also searched"; otherwise all are listed as used.
    static func sources(_ sources: [SourceRecord], message: Int64, cited: Set<Int> = [], words: Words = .english) -> String {
        guard !sources.isEmpty else { return "" }
        let item = { (source: SourceRecord) -> String in
            let place = source.headingPath.isEmpty ? "" : " <span class=\"heading\">› \(HTML.escape(source.headingPath))</span>"
            let page = pageLabel(source.pages).map { ", <span class=\"page\">\($0)</span>" } ?? ""
            // The title opens the passage in its document (the reading view), while the passage is still stored.
            let title = HTML.escape(source.documentTitle)
            let address = DocumentRoute.sourceAddress(message: message, rank: source.rank)
            let name = source.chunkID == nil ? "<span class=\"title\">\(title)</span>"
                : "<a class=\"title\" href=\"\(address)\">\(title)</a>"
            return "<li value=\"\(source.rank)\">\(name)\(place)\(page) "
                + "<span class=\"relevance\">\(source.relevance)%</span> <q>\(HTML.escape(source.excerpt))</q></li>"
        }
        // What the percentage means (Sources/Retrieval/Search/Relevance.swift), said once under the list: a title
        // would not show on a touch screen.
        let note = "<p class=\"meaning\">\(HTML.escape(words[.sourcesRelevance]))</p>"
        let used = sources.filter { cited.contains($0.rank) }
        guard !used.isEmpty else {
            let count = sources.count == 1 ? words[.sourcesUsedOne] : words(.sourcesUsed, ("count", "\(sources.count)"))
            return "<details class=\"sources\"><summary>\(HTML.escape(count))</summary><ol>\(sources.map(item).joined())</ol>"
                + note + "</details>"
        }
        let others = sources.filter { !cited.contains($0.rank) }
        let count = used.count == 1 ? words[.sourcesCitedOne] : words(.sourcesCited, ("count", "\(used.count)"))
        let also = HTML.escape(words[.sourcesAlsoSearched])
        return "<details class=\"sources\"><summary>\(HTML.escape(count))</summary><ol>\(used.map(item).joined())</ol>"
            + (others.isEmpty ? "" : "<p class=\"also\">\(also)</p><ol class=\"also\">\(others.map(item).joined())</ol>")
            + note + "</details>"
    }

    /// The thinking section: the steps, and below them a reasoning model's reasoning when there is some.
    static func thinking(id: Int64, steps: [String], reasoning: String, open: Bool, summary: String) -> String {
        "<details id=\"\(ID.thinking(id))\" class=\"thinking\"\(open ? " open" : "")><summary>\(summary)</summary>"
            + "<ol id=\"\(ID.thinkingSteps(id))\">\(steps.map(step).joined())</ol>"
            + (reasoning.isEmpty ? "" : reasoningStart(id: id, text: reasoning)) + "</details>"
    }

    /// One thinking step.
    static func step(_ text: String) -> String { "<li>\(HTML.escape(text))</li>" }

    /// A reasoning model's reasoning, in the thinking section; more is appended to it as it arrives.
    static func reasoningStart(id: Int64, text: String) -> String {
        "<p id=\"\(ID.reasoning(id))\" class=\"reasoning\">\(HTML.escape(text))</p>"
    }

    /// The hidden marker the page reads: the message's id (what `stop` names) and its state.
    static func state(id: Int64, status: MessageStatus) -> String {
        "<span id=\"\(ID.messageState(id))\" \(Wire.Attribute.message)=\"\(id)\" "
            + "\(Wire.Attribute.status)=\"\(status == .streaming ? Wire.Attribute.streaming : status.rawValue)\" hidden></span>"
    }

    static func summary(_ status: MessageStatus, words: Words = .english) -> String {
        switch status {
        case .complete: HTML.escape(words[.answerThinkingComplete])
        case .streaming: HTML.escape(words[.answerThinking])
        case .stopped: HTML.escape(words[.answerStoppedSummary])
        case .error, .interrupted: HTML.escape(words[.answerThinkingStopped])
        }
    }

    /// The control at the top of a thread that shows only its latest messages: asks for those before `before`.
    static func earlierControl(before: Int64, words: Words = .english) -> String {
        "<div id=\"\(ID.earlierControl)\" class=\"earlier\"><button type=\"button\" \(Wire.Attribute.earlier)=\"\(before)\">"
            + "\(HTML.escape(words[.answerEarlier]))</button></div>"
    }

    /// A conversation in the session's list.
    static func threadItem(_ thread: ThreadRecord, signedStream: String) -> String {
        "<li id=\"\(ID.threadItem(thread.id))\"><button type=\"button\" \(Wire.Attribute.thread)=\"\(thread.id)\" "
            + "\(Wire.Attribute.stream)=\"\(HTML.escape(signedStream))\">\(HTML.escape(thread.title))</button></li>"
    }

    /// The element that makes a page follow a thread's stream (and names the thread its next question goes to).
    static func threadSource(thread: Int64, signedStream: String) -> String {
        "<\(Wire.streamSourceElement) id=\"\(ID.threadSource)\" \(Wire.Attribute.thread)=\"\(thread)\" "
            + "\(Wire.signedStreamNameAttribute)=\"\(HTML.escape(signedStream))\"></\(Wire.streamSourceElement)>"
    }
}
