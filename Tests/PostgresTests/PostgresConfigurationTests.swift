import Postgres
import Testing

/// Reading a database URL: libpq's parse, and the sentences for the mistakes it finds.
@Suite struct PostgresConfigurationTests {
    @Test func aFullURLIsReadAndItsPasswordHidden() throws {
        let configuration = try PostgresConfiguration(
            url: "postgresql://quarry:s3cret@db.example.org:5433/answers?sslmode=require&connect_timeout=7")
        #expect(configuration.host == "db.example.org")
        #expect(configuration.port == "5433")
        #expect(configuration.database == "answers")
        #expect(configuration.user == "quarry")
        #expect(configuration.place == "db.example.org:5433")
        #expect(configuration.description
            == "postgresql://quarry:•••@db.example.org:5433/answers?connect_timeout=7&sslmode=require")
        #expect(!"\(configuration)".contains("s3cret"))
    }

    @Test func aPasswordGivenAsAParameterIsHiddenToo() throws {
        let configuration = try PostgresConfiguration(url: "postgres://quarry@db/answers?password=s3cret")
        #expect(!configuration.description.contains("s3cret"))
        #expect(configuration.description == "postgresql://quarry:•••@db/answers")
        let key = try PostgresConfiguration(url: "postgresql://quarry@db/answers?sslkey=/k.pem&sslpassword=s3cret")
        #expect(key.description == "postgresql://quarry@db/answers?sslkey=/k.pem&sslpassword=•••")
    }

    @Test func whatTheURLLeavesOutIsLibpqsDefault() throws {
        let configuration = try PostgresConfiguration(url: "postgresql:///answers")
        #expect(configuration.host == nil && configuration.port == nil && configuration.user == nil)
        #expect(configuration.place == "the local socket (port 5432)")
        let socket = try PostgresConfiguration(url: "postgresql://%2Fvar%2Frun%2Fpostgresql/answers")
        #expect(socket.place == "the socket in /var/run/postgresql (port 5432)")
    }

    // Each mistake, and the start of the one line that says so.
    @Test(arguments: [
        ("host=db dbname=answers", "A PostgreSQL database is given as a URL starting with postgresql://"),
        ("mysql://quarry@db/answers", "A PostgreSQL database is given as a URL starting with postgresql://"),
        ("postgresql://db/answers?colour=blue", "The PostgreSQL URL is not valid: invalid URI query parameter: \"colour\""),
        ("postgresql://quarry:s3cret@db/answers%zz", "The PostgreSQL URL is not valid: invalid percent-encoded token"),
        ("postgresql://quarry:s3cret@[::1/answers", "The PostgreSQL URL is not valid: end of string reached"),
    ])
    func mistakes(url: String, sentence: String) {
        #expect {
            try PostgresConfiguration(url: url)
        } throws: { error in
            guard let error = error as? PostgresError, error.kind == .configuration else { return false }
            return error.message.hasPrefix(sentence) && !error.description.contains("s3cret")
                && !error.description.contains("\n")
        }
    }

    @Test func timeLimitsMustBePositive() {
        #expect(throws: PostgresError.self) {
            try PostgresConfiguration(url: "postgresql://db/answers", connectTimeout: .zero)
        }
        #expect(throws: PostgresError.self) {
            try PostgresConfiguration(url: "postgresql://db/answers", statementTimeout: .milliseconds(-1))
        }
    }
}
