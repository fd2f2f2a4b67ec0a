// What a new follower of a stream starts from, for `quarry serve`: the admin pages' documents table from its feed,
// every other stream (threads, a session's list) from the chat.
import Admin
import Chat
import Contracts
import Server
import TurboStream
import Words

struct ServedSnapshots: StreamSnapshots {
    let chat: ChatService
    let documents: DocumentsFeed

    func snapshot(of stream: String) -> [StreamEnvelope] {
        documents.snapshot(of: stream) ?? chat.snapshot(of: stream)
    }

    func snapshot(of stream: String, _ request: SnapshotRequest) -> [StreamEnvelope] {
        guard let table = documents.snapshot(of: stream) else { return chat.snapshot(of: stream, request) }
        if case .latest = request { return table }
        return []
    }

    func snapshot(of stream: String, _ request: SnapshotRequest, words: Words) -> [StreamEnvelope] {
        // The table's streams are one per language already.
        guard documents.language(of: stream) == nil else { return snapshot(of: stream, request) }
        return chat.snapshot(of: stream, request, words: words)
    }
}
