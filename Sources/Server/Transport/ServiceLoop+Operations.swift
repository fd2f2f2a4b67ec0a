// The socket protocol's ops on the service thread: following streams (subscribe, unsubscribe, earlier, whose
// snapshots the hub makes on its own threads) and handing the chat's ops (ask, stop, retry) to the handler, with
// who sent them.
internal import Contracts
internal import Logging
internal import TurboStream
internal import Words

extension ServiceLoop {
    func perform(_ message: ClientMessage, for socket: Connection) {
        switch message {
        case .subscribe(let signed):
            guard let stream = verified(signed, from: socket) else { return }
            // Already following: the snapshot and every update since are on their way.
            guard !socket.subscriptions.contains(stream) else { return }
            guard socket.subscriptions.count < configuration.maxSubscriptionsPerConnection else {
                reply(socket, Notice.error(.tooManySubscriptions, Words(socket.language)[.noticeTooManyStreams]))
                return
            }
            do throws(Hub.Refusal) {
                try hub.subscribe(socket.id, to: stream, in: socket.language)
                socket.subscriptions.insert(stream)
            } catch {
                refused(socket, error)
            }
        case .unsubscribe(let signed):
            guard let stream = verified(signed, from: socket) else { return }
            socket.subscriptions.remove(stream)
            hub.unsubscribe(socket.id, from: stream)
        case .earlier(let signed, let cursor):
            guard let stream = verified(signed, from: socket) else { return }
            do throws(Hub.Refusal) {
                try hub.requestEarlier(socket.id, in: stream, before: cursor, language: socket.language)
            } catch {
                refused(socket, error)
            }
        case .ask(let thread, let content):
            forward(.ask(thread: thread, content: content), from: socket)
        case .stop(let message):
            forward(.stop(message: message), from: socket)
        case .retry(let message):
            forward(.retry(message: message), from: socket)
        }
    }

    /// Tells the socket why its snapshot was not made. A page asking for what it already waits for is told
    /// nothing: what it asked for is on its way.
    private func refused(_ socket: Connection, _ refusal: Hub.Refusal) {
        switch refusal {
        case .tooManyInFlight:
            warn("refused a snapshot: too many in flight for one socket", ["peer": "\(socket.peer)"])
            reply(socket, Notice.error(.rateLimited, Words(socket.language)[.noticeLoadingTooMuch]))
        case .notFollowing:
            reply(socket, Notice.error(.notFound, Words(socket.language)[.noticeNotOpen]))
        case .busy:
            break
        }
    }

    /// The stream a signed name stands for, if its signature holds and this socket's session may follow it.
    private func verified(_ signed: String, from socket: Connection) -> String? {
        guard let stream = streamNames.verified(signed) else {
            warn("refused a stream name whose signature does not hold", ["peer": "\(socket.peer)"])
            reply(socket, Notice.error(.badSignature, Words(socket.language)[.noticeOutOfDate]))
            return nil
        }
        guard StreamAccess.allows(stream, session: socket.session, isAdmin: socket.isAdmin) else {
            warn("refused a stream of another session", ["peer": "\(socket.peer)"])
            reply(socket, Notice.error(.forbidden, Words(socket.language)[.noticeOtherBrowser]))
            return nil
        }
        return stream
    }

    private func forward(_ operation: SocketOperation, from socket: Connection) {
        guard let operations else {
            reply(socket, Notice.error(.unavailable, Words(socket.language)[.noticeNoQuestions]))
            return
        }
        operations.handle(operation, from: SocketClient(connection: socket.id, session: socket.session, peer: socket.peer,
                                                       language: socket.language))
    }

    /// Replies go through the hub's queue, so they stay in order with everything else sent to the socket.
    func reply(_ socket: Connection, _ envelope: StreamEnvelope) {
        hub.send([envelope], to: socket.id)
    }
}
