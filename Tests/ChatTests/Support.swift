@testable import Chat
import Contracts
import Locking
import Markdown
import TurboStream

/// Records what the chat publishes and sends, in order, and runs snapshot-changing closures like the Hub does.
final class RecordingBroadcaster: Broadcaster, @unchecked Sendable {
    struct Frame: Equatable {
        var stream: String?
        var connection: ConnectionID?
        var envelopes: [StreamEnvelope]
    }

    private let lock = Lock()
    private var recorded: [Frame] = []
    private var hook: (@Sendable ([StreamEnvelope]) -> Void)?

    func publish(to stream: String, _ update: () -> [StreamEnvelope]) {
        let (envelopes, hook) = lock.withLock {
            let envelopes = update()
            if !envelopes.isEmpty { recorded.append(Frame(stream: stream, connection: nil, envelopes: envelopes)) }
            return (envelopes, self.hook)
        }
        hook?(envelopes)
    }

    /// Runs `body` after each publish, in the publisher's call (outside the lock): a page's reply at the very
    /// moment an envelope arrives.
    func afterEachPublish(_ body: @escaping @Sendable ([StreamEnvelope]) -> Void) { lock.withLock { hook = body } }

    func send(_ envelopes: [StreamEnvelope], to connection: ConnectionID) {
        lock.withLock { recorded.append(Frame(stream: nil, connection: connection, envelopes: envelopes)) }
    }

    var frames: [Frame] { lock.withLock { recorded } }

    /// Runs `body` with the frames so far, holding the lock publishes take (as a subscribe does in the Hub).
    func atomically(_ body: ([Frame]) -> Void) { lock.withLock { body(recorded) } }

    /// Every envelope published to `stream`, in order.
    func envelopes(to stream: String) -> [StreamEnvelope] { frames.filter { $0.stream == stream }.flatMap(\.envelopes) }

    /// Every envelope sent to `connection`.
    func envelopes(toConnection connection: ConnectionID) -> [StreamEnvelope] {
        frames.filter { $0.connection == connection }.flatMap(\.envelopes)
    }
}

/// A message's content as the page holds it, kept by applying the envelopes aimed at it the way the patcher does
/// (the browser tests check the patcher itself against the same envelopes).
struct ContentModel {
    let id: Int64
    var blocks: [String] = []

    init(id: Int64) { self.id = id }

    /// Applies an envelope if it targets this content; returns whether it did.
    @discardableResult
    mutating func apply(_ envelope: StreamEnvelope) -> Bool {
        let content = Wire.ElementID.messageContent(id)
        switch (envelope.action, envelope.target) {
        case (.append, .id(content)):
            blocks = BlockDiff.apply([.appendBlocks(envelope.html)], to: blocks)
        case (.update, .id(content)):
            blocks = BlockDiff.apply([.replaceAll(envelope.html)], to: blocks)
        case (.replace, .selector("#\(content)>:last-child")):
            // A browser replaces the element and keeps the text after it: the block's closing new line.
            blocks = BlockDiff.apply([.replaceLast(envelope.html + "\n")], to: blocks)
        case (.append, .selector(let selector)) where selector.hasPrefix("#\(content)>"):
            let depth = selector.occurrences(of: ">:last-child") - 1
            blocks = BlockDiff.apply([.appendInside(depth: depth, html: envelope.html)], to: blocks)
        case (.update, .selector(let selector)) where selector.hasPrefix("#\(content)>"):
            let depth = selector.occurrences(of: ">:last-child") - 1
            blocks = BlockDiff.apply([.updateInside(depth: depth, html: envelope.html)], to: blocks)
        default:
            return false
        }
        return true
    }

    var html: String { blocks.joined() }
}

extension String {
    /// How many times `part` occurs, without overlaps.
    func occurrences(of part: String) -> Int {
        let text = Array(utf8), needle = Array(part.utf8)
        var count = 0, index = 0
        while index + needle.count <= text.count {
            if Array(text[index..<index + needle.count]) == needle {
                count += 1
                index += needle.count
            } else {
                index += 1
            }
        }
        return count
    }

    /// Pieces of at most `size` characters.
    func pieces(of size: Int) -> [String] {
        var out: [String] = [], current = ""
        for character in self {
            current.append(character)
            if current.count == size {
                out.append(current)
                current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
