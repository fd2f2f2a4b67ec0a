// Snapshots: what a page gets when it (re)subscribes to a session's thread list or to a thread. Run on the server's
// service thread under the hub's lock (`StreamSnapshots`), so a snapshot and the live updates after it meet with no
// gap and nothing twice.
internal import Logging
internal import Server
internal import Store
public import TurboStream

extension ChatService {
    public func snapshot(of stream: String) -> [StreamEnvelope] {
        do {
            switch ChatStreams.parse(stream) {
            case .session(let session)?:
                let items = try store.threads(session: session).map {
                    Markup.threadItem($0, signedStream: streamNames.signed(ChatStreams.thread($0.id, session: session)))
                }
                return [.update(target: Wire.ElementID.threads, html: items.joined())]
            case .thread(let thread, let session)?:
                guard try store.thread(thread, session: session) != nil else { return [] }
                let html = try store.messages(thread: thread).map(render).joined()
                return [.update(target: Wire.ElementID.messages, html: html), .scroll(target: Wire.ElementID.messages)]
            case nil:
                return []
            }
        } catch {
            logger.error("a snapshot could not be read", metadata: ["stream": "\(stream)", "cause": "\(error)"])
            return [Notice.error(.unavailable, "This conversation could not be loaded. Please reload the page.")]
        }
    }

    /// A message as the page shows it now.
    private func render(_ message: MessageRecord) throws(StoreError) -> String {
        if message.role == "user" { return Markup.question(id: message.id, text: message.content) }
        if let answer = live[message.id] {
            return Markup.answerInProgress(id: message.id, steps: answer.thinking.steps, reasoning: answer.thinking.reasoning,
                                           blocks: answer.blocks)
        }
        if message.status == .streaming {
            // Saved, but its job has not published yet: the placeholder, as the page will get it.
            return Markup.answerInProgress(id: message.id, steps: [], reasoning: "", blocks: [])
        }
        return Markup.finishedAnswer(message, sources: try store.sources(message: message.id))
    }
}
