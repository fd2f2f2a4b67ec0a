// Snapshots: what a page gets when it (re)subscribes to a session's thread list or to a thread, and the earlier
// parts of a thread it asks for. Made on the hub's snapshot threads while the stream's publishes wait
// (`StreamSnapshots`), so a snapshot and the live updates after it meet with no gap and nothing twice.
//
// A thread is sent a part at a time: its latest exchanges with a "Show earlier messages" control above them, and
// earlier parts prepended on request, so a thread of any length opens. An ended answer's text is rendered once and
// kept in the database (messages.content_html): a column rather than a cache in memory because it survives
// restarts, costs nothing while a thread is not read, and is read with the messages in the same query; it is
// filled lazily here (for old rows and new alike) after the snapshot is sent, never while publishes wait.
public import Contracts
internal import Logging
internal import Markdown
internal import Store
public import TurboStream
public import Words

extension ChatService {
    /// Exchanges in a thread's first snapshot when no size is asked for (the hub asks for its configured size).
    static let defaultSnapshotExchanges = 20

    public func snapshot(of stream: String) -> [StreamEnvelope] {
        snapshot(of: stream, .latest(limit: Self.defaultSnapshotExchanges))
    }

    public func snapshot(of stream: String, _ request: SnapshotRequest) -> [StreamEnvelope] {
        snapshot(of: stream, request, words: .english)
    }

    /// The snapshot in the words of the socket that asked for it (its buttons, summaries and notices; the steps
    /// and errors stored with the answers stay in the language of the page that asked them).
    public func snapshot(of stream: String, _ request: SnapshotRequest, words: Words) -> [StreamEnvelope] {
        do {
            switch ChatStreams.parse(stream) {
            case .session(let session)?:
                guard case .latest = request else { return [] }
                let items = try store.threads(session: session).map {
                    Markup.threadItem($0, signedStream: streamNames.signed(ChatStreams.thread($0.id, session: session)))
                }
                return [.update(target: Wire.ElementID.threads, html: items.joined())]
            case .thread(let thread, let session)?:
                guard try store.thread(thread, session: session) != nil else { return [] }
                switch request {
                case .latest(let limit):
                    let html = try part(of: thread, before: nil, exchanges: limit, words: words)
                    return [.update(target: Wire.ElementID.messages, html: html), .scroll(target: Wire.ElementID.messages)]
                case .earlier(let cursor, let limit):
                    guard let before = Int64(cursor) else { return [] }
                    let html = try part(of: thread, before: before, exchanges: limit, words: words)
                    // The control goes; the part brings a new one when there is more still.
                    return [.remove(target: Wire.ElementID.earlierControl),
                            .prepend(target: Wire.ElementID.messages, html: html)]
                }
            case nil:
                return []
            }
        } catch {
            logger.error("a snapshot could not be read", metadata: ["stream": "\(stream)", "cause": "\(error)"])
            return [Notice.error(.unavailable, words[.noticeNotLoaded])]
        }
    }

    /// Most bytes of markup in one part of a thread: exchanges beyond it (oldest first) are left for the next
    /// request, though a part always holds at least one, so a few enormous answers still open, well inside what a
    /// socket may have waiting (ServerConfiguration.maxQueuedBytes, 4 MiB).
    static let partBytes = 1024 * 1024

    /// The markup of `exchanges` exchanges of `thread` before message `before` (nil: the latest), at most
    /// ``partBytes`` of it, under the control that asks for earlier ones when there are any.
    private func part(of thread: Int64, before: Int64?, exchanges: Int, words: Words) throws(StoreError) -> String {
        let page = try store.threadPage(thread, before: before, exchanges: exchanges, renderer: Markup.renderer)
        // Exchanges: a question and what follows it (and whatever comes before a thread's first question).
        var groups: [[MessageRecord]] = []
        for message in page.messages {
            if message.role == "user" || groups.isEmpty { groups.append([message]) } else { groups[groups.count - 1].append(message) }
        }
        // Whole exchanges, newest first, while they fit.
        var kept: [(message: Int64, content: String, html: String)] = []
        var taken: [String] = [], bytes = 0, first: Int64?
        for group in groups.reversed() {
            let html = group.map { render($0, page: page, rendered: &kept, words: words) }.joined()
            if !taken.isEmpty && bytes + html.utf8.count > Self.partBytes { break }
            taken.append(html)
            bytes += html.utf8.count
            first = group[0].id
        }
        keep(kept)
        let cursor = taken.count == groups.count ? page.earlier : first
        return (cursor.map { Markup.earlierControl(before: $0, words: words) } ?? "") + taken.reversed().joined()
    }

    /// A message as the page shows it now; an ended answer's text rendered here is added to `rendered`.
    private func render(_ message: MessageRecord, page: ThreadPage,
                        rendered: inout [(message: Int64, content: String, html: String)], words: Words) -> String {
        if message.role == "user" { return Markup.question(id: message.id, text: message.content) }
        // Streaming here, or on another host (which recorded what its pages were sent).
        if let answer = live[message.id] ?? (message.status == .streaming ? live.elsewhere(message.id) : nil) {
            return Markup.answerInProgress(id: message.id, steps: answer.thinking.steps, reasoning: answer.thinking.reasoning,
                                           blocks: answer.blocks, words: words)
        }
        if message.status == .streaming {
            // Saved, but its job has not published yet: the placeholder, as the page will get it.
            return Markup.answerInProgress(id: message.id, steps: [], reasoning: "", blocks: [], words: words)
        }
        let content: String
        if let kept = page.contentHTML[message.id] {
            content = kept
        } else {
            content = Markup.answerHTML(message.content, message: message.id, sources: page.sources[message.id] ?? [])
            rendered.append((message.id, message.content, content))
        }
        return Markup.finishedAnswer(message, sources: page.sources[message.id] ?? [], contentHTML: content,
                                     words: words)
    }

    /// Stores renders for later snapshots, off the snapshot's path: a write may wait for the database's write
    /// lock, and the stream's publishes must not.
    private func keep(_ renders: [(message: Int64, content: String, html: String)]) {
        guard !renders.isEmpty else { return }
        let store = self.store, logger = self.logger
        Task.detached {
            do {
                try store.keepContentHTML(renders, renderer: Markup.renderer)
            } catch {
                logger.debug("rendered answers were not kept", metadata: ["cause": "\(error)"])
            }
        }
    }
}
