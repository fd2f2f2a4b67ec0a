import Redis
import Testing
import TestSupport

/// Commands against a real redis-server (TestSupport's `TestRedis`).
@Suite(.enabled(if: TestRedis.isInstalled, "redis-server is not installed (tools/test installs it)"))
struct RedisConnectionTests {
    @Test func commandsAreBinarySafeAndRepliesMapToTheirKinds() throws {
        let redis = try TestRedis()
        let connection = try RedisConnection(configuration(redis.url))
        try connection.ping()
        let value: [UInt8] = [0, 1, 2, 0, 255, 13, 10, 0]
        #expect(try connection.command([Array("SET".utf8), [0, 107, 0], value]) == .status("OK"))
        #expect(try connection.command([Array("GET".utf8), [0, 107, 0]]) == .bulk(value))
        #expect(try connection.command("GET", "missing") == .null)
        #expect(try connection.command("SET", "empty", "") == .status("OK"))
        #expect(try connection.command("GET", "empty") == .bulk([]))
        #expect(try connection.command("INCRBY", "counter", "41") == .integer(41))
        #expect(try connection.command("RPUSH", "list", "a", "b") == .integer(2))
        #expect(try connection.command("LRANGE", "list", "0", "-1") == .array([.bulk(Array("a".utf8)), .bulk(Array("b".utf8))]))
        // An error reply is a reply; the connection goes on.
        guard case .error(let message) = try connection.command("INCR", "list") else {
            Issue.record("INCR on a list should be an error reply")
            return
        }
        #expect(message.hasPrefix("WRONGTYPE"))
        #expect(throws: RedisError.self) { try connection.command("NOSUCHCOMMAND").throwingError() }
        #expect(!connection.isBroken)
        #expect(try connection.publish(channel: "nobody", [1, 2, 3]) == 0)
    }

    @Test func selectPicksTheDatabaseAndAUnixSocketWorks() throws {
        let redis = try TestRedis()
        let two = try RedisConnection(configuration("unix://\(redis.socketPath)?db=2"))
        #expect(try two.command("SET", "where", "two") == .status("OK"))
        let zero = try RedisConnection(configuration(redis.url))
        #expect(try zero.command("GET", "where") == .null)
        #expect(try RedisConnection(configuration("\(redis.url)/2")).command("GET", "where")
                == .bulk(Array("two".utf8)))
    }

    @Test func theRightPasswordIsLetInAndAWrongOneIsASentence() throws {
        let redis = try TestRedis(password: "correct horse")
        let right = try RedisConnection(configuration("redis://:correct%20horse@127.0.0.1:\(redis.port)"))
        try right.ping()
        let named = try RedisConnection(configuration("redis://default:correct%20horse@127.0.0.1:\(redis.port)"))
        try named.ping()
        do {
            _ = try RedisConnection(configuration("redis://:wrong@127.0.0.1:\(redis.port)"))
            Issue.record("a wrong password connected")
        } catch {
            #expect(error.kind == .authenticationFailed)
            #expect(error.description.hasPrefix("Redis said: WRONGPASS"))
        }
        // No password at all: the first command is refused.
        let none = try RedisConnection(configuration(redis.url))
        do {
            try none.ping()
            Issue.record("a command without AUTH was answered")
        } catch {
            #expect(error.kind == .server)
            #expect(error.description == "Redis said: NOAUTH Authentication required.")
        }
    }

    @Test func aPortNobodyListensOnIsRefusedInASentence() throws {
        let port = try freeLoopbackPort()
        #expect(throws: RedisError.self) { try RedisConnection(configuration("redis://127.0.0.1:\(port)")) }
        do {
            _ = try RedisConnection(configuration("redis://127.0.0.1:\(port)"))
        } catch {
            #expect(error.kind == .refused)
            #expect(error.description == "Redis at 127.0.0.1:\(port) refused the connection")
        }
        do {
            _ = try RedisConnection(configuration("unix:///nonexistent/redis.sock"))
        } catch {
            #expect(error.kind == .refused)
            #expect(error.description.hasPrefix("Redis at /nonexistent/redis.sock refused the connection"))
        }
    }

    /// A server that accepts the connection and never answers: the command timeout ends the wait.
    @Test func aSilentServerTimesOut() throws {
        let silent = try SilentListener()
        let connection = try RedisConnection(RedisConfiguration(address: .tcp(host: "127.0.0.1", port: silent.port),
                                                                commandTimeout: .milliseconds(200)))
        do {
            try connection.ping()
            Issue.record("a silent server answered")
        } catch {
            #expect(error.kind == .timedOut)
            #expect(error.description.contains("did not answer within"))
        }
        #expect(connection.isBroken)
        #expect(throws: RedisError.self) { try connection.ping() }
    }

    @Test func aPayloadOverTheLimitIsNotSent() throws {
        let redis = try TestRedis()
        var limited = configuration(redis.url)
        limited.maxPayloadBytes = 1000
        let connection = try RedisConnection(limited)
        #expect(try connection.publish(channel: "c", [UInt8](repeating: 7, count: 1000)) == 0)
        do {
            try connection.publish(channel: "c", [UInt8](repeating: 7, count: 1001))
            Issue.record("an oversized payload was published")
        } catch {
            #expect(error.kind == .tooLarge)
        }
        try connection.ping()
    }

    /// A connection whose server went away says so, and is not used again.
    @Test func aServerRestartBreaksTheConnection() throws {
        let redis = try TestRedis()
        let connection = try RedisConnection(configuration(redis.url))
        try connection.ping()
        try redis.restart()
        #expect(throws: RedisError.self) { try connection.ping() }
        #expect(connection.isBroken)
        try RedisConnection(configuration(redis.url)).ping()
    }
}
