// Many streams at once, each on its own client thread.
import Glibc
import StandIn
import Testing

@Suite struct ConcurrencyTests {
    @Test func twoHundredFiftyConcurrentStreamsAllComplete() throws {
        let clients = 250
        try withServer(StandInConfiguration(tokensPerSecond: 500)) { server, port in
            let answers = Guarded<[String]>([])
            let threads = (0..<clients).map { _ in
                startThread {
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
            for thread in threads { pthread_join(thread, nil) }
            let all = answers.withLock { $0 }
            #expect(all.count == clients)
            #expect(all.filter { $0 != StandInConfiguration.defaultAnswer }.isEmpty)
            #expect(server.completedStreams == clients)
            #expect(server.abandonedStreams == 0)
            #expect(server.openStreams == 0)
        }
    }
}

/// Runs `body` on a new POSIX thread: blocking clients must not occupy Swift concurrency's few pool threads.
func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    pthread_attr_setstacksize(&attributes, 512 * 1024)
    defer { pthread_attr_destroy(&attributes) }
    var thread = pthread_t()
    let result = pthread_create(&thread, &attributes, { raw in
        Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, Unmanaged.passRetained(Box(body)).toOpaque())
    precondition(result == 0, "pthread_create failed")
    return thread
}

/// A value shared between client threads, behind a pthread mutex.
final class Guarded<Value>: @unchecked Sendable {
    // @unchecked: `value` is touched only with `mutex` held.
    private var value: Value
    // On the heap: a pthread mutex must not move.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init(_ value: Value) {
        self.value = value
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value)
    }
}
