// Many streams at once, each on its own client thread.
import Glibc
import Locking
import StandIn
import Testing

@Suite struct ConcurrencyTests {
    @Test func twoHundredFiftyConcurrentStreamsAllComplete() throws {
        let clients = 250
        try withServer(StandInConfiguration(tokensPerSecond: 500)) { server, port in
            let answers = Locked<[String]>([])
            // POSIX threads: blocking clients must not occupy Swift concurrency's few pool threads.
            let threads = (0..<clients).map { _ in
                spawnThread(stackSize: 512 * 1024) {
                    let answer: String
                    do {
                        let stream = EventStream(try chat(port).body)
                        answer = stream.endsWithDone ? stream.content : "no [DONE]"
                    } catch {
                        answer = "\(error)"
                    }
                    answers.withLock { $0.append(answer) }
                }
            }
            for thread in threads { thread?.join() }
            let all = answers.withLock { $0 }
            #expect(all.count == clients)
            #expect(all.filter { $0 != StandInConfiguration.defaultAnswer }.isEmpty)
            #expect(server.completedStreams == clients)
            #expect(server.abandonedStreams == 0)
            #expect(server.openStreams == 0)
        }
    }
}
