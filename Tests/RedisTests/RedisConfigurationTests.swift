import Redis
import Testing

/// Redis URLs: the forms documented in RedisConfiguration+URL.swift, and a sentence for each mistake.
@Suite struct RedisConfigurationTests {
    struct Good: Sendable, CustomStringConvertible {
        let url: String
        let address: RedisAddress
        var username: String? = nil
        var password: String? = nil
        var database = 0
        var description: String { url }
    }

    static let good: [Good] = [
        Good(url: "redis://127.0.0.1", address: .tcp(host: "127.0.0.1", port: 6379)),
        Good(url: "redis://localhost:6390", address: .tcp(host: "localhost", port: 6390)),
        Good(url: "redis://redis.internal:6379/2", address: .tcp(host: "redis.internal", port: 6379), database: 2),
        Good(url: "redis://[::1]:7000/", address: .tcp(host: "::1", port: 7000)),
        Good(url: "redis://[::1]", address: .tcp(host: "::1", port: 6379)),
        Good(url: "redis://:s3cret@10.0.0.5", address: .tcp(host: "10.0.0.5", port: 6379), password: "s3cret"),
        Good(url: "redis://quarry:p%40ss%2Fword@10.0.0.5:6380/15", address: .tcp(host: "10.0.0.5", port: 6380),
             username: "quarry", password: "p@ss/word", database: 15),
        Good(url: "redis://quarry:a@b@host", address: .tcp(host: "host", port: 6379), username: "quarry", password: "a@b"),
        Good(url: "REDIS://host", address: .tcp(host: "host", port: 6379)),
        Good(url: "unix:///run/redis/redis.sock", address: .unix(path: "/run/redis/redis.sock")),
        Good(url: "unix://:pw@/run/redis/redis.sock?db=3", address: .unix(path: "/run/redis/redis.sock"),
             password: "pw", database: 3),
    ]

    @Test(arguments: good) func aGoodURLIsRead(_ good: Good) throws {
        let configuration = try RedisConfiguration(url: good.url)
        #expect(configuration.address == good.address)
        #expect(configuration.username == good.username)
        #expect(configuration.password == good.password)
        #expect(configuration.database == good.database)
    }

    static let bad: [(url: String, says: String)] = [
        ("127.0.0.1:6379", "is a URL such as redis://"),
        ("http://127.0.0.1:6379", "starts with redis:// or unix://, not “http://”"),
        ("rediss://:secret@host:6380", "rediss:// (Redis over TLS) is not supported"),
        ("redis://", "needs a host"),
        ("redis://:pw@", "needs a host"),
        ("redis://host:0", "number from 1 to 65535, not “0”"),
        ("redis://host:65536", "number from 1 to 65535, not “65536”"),
        ("redis://host:port", "number from 1 to 65535, not “port”"),
        ("redis://host:", "number from 1 to 65535, not “”"),
        ("redis://host/two", "is a number such as 0 or 2, not “two”"),
        ("redis://host/-1", "is a number such as 0 or 2, not “-1”"),
        ("redis://host/1/2", "is a number such as 0 or 2, not “1/2”"),
        ("redis://host?db=1", "takes no options after “?”"),
        ("redis://[::1:6379", "ends with “]”"),
        ("redis://[::1]6379", "After “]” comes “:”"),
        ("redis://ho st", "is not a host name or IP address"),
        ("redis://secretword@host", "Put a colon before the password"),
        ("redis://:bad%zzsecret@host", "a “%” not followed by two hexadecimal digits"),
        ("redis://:%+fsecret@host", "a “%” not followed by two hexadecimal digits"),
        ("redis://:secret%4@host", "a “%” not followed by two hexadecimal digits"),
        ("unix://relative/redis.sock", "names the socket's full path"),
        ("unix://", "names the socket's full path"),
        ("unix:///run/redis.sock?timeout=1", "takes one option, the database"),
        ("unix:///run/redis.sock?db=x", "is a number such as 0 or 2, not “x”"),
    ]

    @Test(arguments: bad) func aBadURLIsASentence(_ bad: (url: String, says: String)) {
        #expect {
            try RedisConfiguration(url: bad.url)
        } throws: { error in
            let sentence = "\(error)"
            return sentence.contains(bad.says) && !sentence.contains("secret")
        }
    }

    /// The password never appears in a description, whatever prints the configuration.
    @Test func thePasswordIsRedacted() throws {
        let tcp = try RedisConfiguration(url: "redis://quarry:hunter2@10.0.0.5:6380/2")
        #expect(tcp.description == "redis://quarry:***@10.0.0.5:6380/2")
        #expect("\(tcp)" == tcp.description && String(reflecting: tcp) == tcp.description)
        let unix = try RedisConfiguration(url: "unix://:hunter2@/run/redis.sock?db=1")
        #expect(unix.description == "unix://:***@/run/redis.sock?db=1")
        #expect(try RedisConfiguration(url: "redis://[::1]").description == "redis://[::1]:6379")
    }
}
