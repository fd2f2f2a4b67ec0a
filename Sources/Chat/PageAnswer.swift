// An answer as the page sees it: the job's steps and text turned into envelopes on the thread's stream.
//
// Text is not sent on every token. At most once per `interval` (and at once when a new line arrives, which is
// where blocks end) the text so far is rendered to its top-level blocks (Markdown.BlockRenderer: finished blocks are
// rendered once and kept, only the open tail again) and compared with what was sent (LiveAnswers' blocks,
// BlockDiff): finished blocks go once (`append`), text added to the open block is appended inside its innermost
// open element (`append` to `#message-content-ID>:last-child>…`), and a block is replaced only when its earlier
// markup changed. So the bytes sent grow with the answer's length, and the page always shows the render of the
// text sent so far. If no new token arrives, a pending update is sent when its interval is up.
//
// Rendering is paced by its own cost as well: the next render waits at least `costFactor` times as long as the last
// one took (even at a new line), so however costly the Markdown a model is steered into (Markdown.Limits bounds one
// render), one answer's renders take at most 1/(costFactor + 1) of a core, and cmark's process-wide parse lock is
// left free for the other answers most of the time.
//
// Who owns what (one owner for each piece of an answer's state):
// - the text and thinking as they arrive: the job (`Progress` in AnswerJob), which checkpoints them to the database;
// - what the page has (the blocks sent, the steps and reasoning shown): LiveAnswers, which snapshots read. The
//   next render is diffed against its blocks inside the publish that sends the difference and records the new
//   blocks, so what was sent and what a snapshot shows cannot part;
// - the pacing (when to render and send) and the renderer: here. The job hands over its text (`AnswerText`, which
//   it alone appends to) and this reads it when it sends, a deferred send included, keeping no copy; the one
//   piece of the answer kept here is the reasoning that arrived since the last send (the job tells only pieces
//   of it), dropped once sent.
public import Contracts
internal import Locking
internal import Markdown
public import Store
internal import TurboStream
internal import Words

/// Publishes one answer's progress to its thread's stream.
public final class PageAnswer: AnswerObserver, @unchecked Sendable {
    // @unchecked: every mutable property is guarded by `lock`.
    let id: Int64
    let stream: String
    private let broadcaster: any Broadcaster
    private let live: LiveAnswers
    private let interval: Duration
    private let costFactor: Int
    /// The words of the page that asked: the ending's (Retry, the thinking's summary) are in its language.
    private let words: Words
    /// How long the last render of the text took.
    private var renderCost = Duration.zero
    private let lock = Lock()
    /// Renders the text as it grows, each finished block once.
    private var renderer = Markdown.BlockRenderer()
    /// The passages the answer's citation markers may name, once retrieval has found them.
    private var citations: Markdown.Citations?
    /// The job's text, when some of it has not been rendered and sent yet: read at the send, never copied here.
    private var unsent: AnswerText?
    /// The reasoning that arrived since the last send.
    private var reasoning = ""
    private var lastSent = ContinuousClock.now - .seconds(3600)
    private var flushScheduled = false
    private var ended = false

    /// An answer published on its own, with no snapshots to keep (tools and benchmarks). Unpaced by render cost
    /// unless `costFactor` says otherwise, so that with a zero `interval` every piece that changes the render is
    /// sent, at once.
    public convenience init(id: Int64, stream: String, broadcaster: any Broadcaster, interval: Duration,
                            costFactor: Int = 0) {
        self.init(id: id, stream: stream, broadcaster: broadcaster, live: LiveAnswers(), interval: interval,
                  costFactor: costFactor)
        live.start(id, thread: 0)
    }

    init(id: Int64, stream: String, broadcaster: any Broadcaster, live: LiveAnswers, interval: Duration,
         costFactor: Int = PageAnswer.defaultCostFactor, words: Words = .english) {
        self.words = words
        self.id = id
        self.stream = stream
        self.broadcaster = broadcaster
        self.live = live
        self.interval = interval
        self.costFactor = costFactor
    }

    /// How many times its own duration a render waits before the next one: 8, so rendering one answer takes at
    /// most a ninth of a core.
    static let defaultCostFactor = 8

    /// How long to wait before sending, `elapsed` after the last send: the interval (none when `now`, at a new
    /// line), and at least `costFactor` times the last render's cost. Zero or less: send now.
    static func wait(elapsed: Duration, interval: Duration, now: Bool, renderCost: Duration, costFactor: Int) -> Duration {
        max(now ? .zero : interval, renderCost * costFactor) - elapsed
    }

    public func step(_ text: String) {
        lock.withLock {
            var update = takePending()
            update.steps = [text]
            publish(update) { _ in [.append(target: Wire.ElementID.thinkingSteps(self.id), html: Markup.step(text))] }
        }
    }

    public func found(_ sources: [SourceRecord]) {
        lock.withLock {
            citations = Markup.citations(message: id, sources: sources)
            renderer = Markdown.BlockRenderer(citations: citations)
        }
    }

    public func reasoning(_ text: String) {
        lock.withLock {
            reasoning += text
            sendOrSchedule(now: false)
        }
    }

    public func text(_ text: AnswerText, delta: String) {
        lock.withLock {
            unsent = text
            sendOrSchedule(now: delta.contains("\n"))
        }
    }

    public func finished(_ outcome: AnswerOutcome, save: @escaping @Sendable () -> Void) {
        lock.withLock {
            ended = true
            unsent = nil
            // The end renders with the sources it ended with (those found, or none if it ended before searching).
            let citations = Markup.citations(message: id, sources: outcome.sources)
            self.citations = citations
            let update = takePending(ending: outcome.text)
            let id = self.id, words = self.words
            // The answer as the page has it after the last of its text, then ended: it leaves the live table, and
            // its end is saved, in the same step.
            publish(update, then: { answer in
                [
                    .replace(target: Wire.ElementID.thinking(id),
                             html: Markup.thinking(id: id, steps: answer.thinking.steps,
                                                   reasoning: answer.thinking.reasoning, open: false,
                                                   summary: Markup.summary(outcome.status, words: words))),
                    .after(target: Wire.ElementID.messageContent(id),
                           html: Markup.ending(id: id, status: outcome.status, error: outcome.error,
                                               sources: outcome.sources, cited: citations.cited(in: answer.blocks.joined()),
                                               copy: !outcome.text.isEmpty, words: words)),
                    .replace(target: Wire.ElementID.messageState(id), html: Markup.state(id: id, status: outcome.status)),
                    .scroll(target: Wire.ElementID.messages),
                ]
            }, saving: save)
        }
    }

    // MARK: Under `lock`

    /// What one send carries, before it is compared with what the page has: the reasoning that arrived since the
    /// last send, the text's blocks as now rendered (and what rendering them cost), the steps added.
    private struct Update {
        var reasoning = ""
        var blocks: [String]?
        var cost = Duration.zero
        var steps: [String] = []
    }

    /// Sends now if the interval is up (or `now`), else makes sure a send happens when it is.
    private func sendOrSchedule(now: Bool) {
        let wait = Self.wait(elapsed: ContinuousClock.now - lastSent, interval: interval, now: now,
                             renderCost: renderCost, costFactor: costFactor)
        if wait <= .zero {
            publish(takePending())
        } else if !flushScheduled {
            flushScheduled = true
            Task { [self] in
                try? await Task.sleep(for: wait)
                lock.withLock {
                    flushScheduled = false
                    if !ended { publish(takePending()) }
                }
            }
        }
    }

    /// The text and reasoning that arrived since the last send, the text rendered (at the end, `ending`, the whole
    /// text); from here on they count as sent.
    private func takePending(ending: String? = nil) -> Update {
        var update = Update()
        if !reasoning.isEmpty {
            update.reasoning = reasoning
            reasoning = ""
        }
        if let ending {
            // The end is rendered whole, so the last frame is exactly the answer's render whatever was kept.
            update.blocks = Markdown.blocks(ending, citations: citations)
        } else if let unsent {
            let start = ContinuousClock.now
            update.blocks = renderer.blocks(Self.renderable(unsent.current))
            update.cost = .now - start
            self.unsent = nil
        }
        // The interval paces text, not steps: the first words after "Generating response…" go out at once.
        if update.blocks != nil || !update.reasoning.isEmpty { lastSent = .now }
        return update
    }

    /// The part of the text worth rendering now: all of it but a last line still being typed that would render as
    /// something it is not yet, and then change back: a table row (cmark pads it with empty cells until it is
    /// whole), a line of a code block (cmark ends it with a new line the next token may not bring), or markers
    /// alone (`-` is an empty list item until it becomes `---`). Such a line waits for its end, or the next token.
    /// So does a citation marker still arriving at its end (`[`, `[2`: `Markdown.Citations.pendingStart`), which
    /// would show as text and then become a link.
    public static func renderable(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let start = bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        guard start < bytes.count else { return text }
        let line = bytes[start...].drop { $0 == UInt8(ascii: " ") }
        let markers = Set("-=*_+#>`~|".utf8)
        let holds = line.first == UInt8(ascii: "|") || line.allSatisfy(markers.contains)
            || Markdown.endsInsideFence(bytes[..<start])
        if holds { return String(decoding: bytes[..<start], as: UTF8.self) }
        return Markdown.Citations.pendingStart(in: text).map { String(text[..<$0]) } ?? text
    }

    /// Publishes an update, and `then`'s envelopes after it, and records in the same step the state they bring the
    /// page to: the envelopes are the difference between what LiveAnswers has (what was sent) and the update.
    /// `then` is given the answer as the page has it after the update. At the end, the answer leaves LiveAnswers
    /// in that same step, and `saving` writes the end to the database first. An answer not in progress (not in
    /// LiveAnswers) has no page to update: nothing is sent (its end is saved all the same).
    private func publish(_ update: Update, then: ((LiveAnswers.Answer) -> [StreamEnvelope])? = nil,
                         saving: (@Sendable () -> Void)? = nil) {
        guard update.blocks != nil || !update.reasoning.isEmpty || then != nil || saving != nil else { return }
        let live = self.live, id = self.id, ended = self.ended
        var diffCost = Duration.zero
        broadcaster.publish(to: stream) {
            saving?()
            let envelopes = live.update(id) { (answer: inout LiveAnswers.Answer) -> [StreamEnvelope] in
                var envelopes: [StreamEnvelope] = []
                if !update.reasoning.isEmpty {
                    // The first reasoning opens its element; the rest goes inside it.
                    envelopes.append(answer.thinking.reasoning.isEmpty
                        ? .append(target: Wire.ElementID.thinking(id),
                                  html: Markup.reasoningStart(id: id, text: update.reasoning))
                        : .append(target: Wire.ElementID.reasoning(id), html: HTML.escape(update.reasoning)))
                    answer.thinking.reasoning += update.reasoning
                }
                if let blocks = update.blocks {
                    let start = ContinuousClock.now
                    envelopes += BlockDiff.changes(from: answer.blocks, to: blocks).map(envelope)
                    diffCost = .now - start
                    answer.blocks = blocks
                }
                answer.thinking.steps += update.steps
                return envelopes + (then?(answer) ?? [])
            } ?? []
            if ended { live.end(id) }
            return envelopes
        }
        if update.blocks != nil { renderCost = update.cost + diffCost }
    }

    /// The envelope for one change to the answer's text.
    private func envelope(_ change: BlockChange) -> StreamEnvelope {
        let content = Wire.ElementID.messageContent(id)
        switch change {
        case .appendBlocks(let html):
            return .append(target: content, html: html)
        case .appendInside(let depth, let html):
            return .append(targets: "#\(content)" + String(repeating: ">:last-child", count: depth + 1), html: html)
        case .updateInside(let depth, let html):
            return .update(targets: "#\(content)" + String(repeating: ">:last-child", count: depth + 1), html: html)
        case .replaceLast(let html):
            // The block's element is replaced; the new line cmark ends every block with is already in the page,
            // after the element, so the template leaves it out.
            return .replace(targets: "#\(content)>:last-child", html: html.hasSuffix("\n") ? String(html.dropLast()) : html)
        case .replaceAll(let html):
            return .update(target: content, html: html)
        }
    }
}
