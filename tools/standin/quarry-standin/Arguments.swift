// Command-line arguments of quarry-standin.
import StandIn

/// The parsed command line.
struct Arguments {
    static let usage = """
        usage: quarry-standin [--port N] [--api-key KEY] [--model NAME]... [--answer TEXT]
                              [--tokens-per-second R] [--embedding-dimensions N] [--ignore-stdin]
          Serves an OpenAI-compatible stand-in on 127.0.0.1, prints {"port":N} on stdout, and runs until
          SIGINT, SIGTERM or end of stdin (--ignore-stdin: until a signal only).
          --port N                 port to bind (default 0: a free one)
          --api-key KEY            require Authorization: Bearer KEY
          --model NAME             a model to serve; repeat for several (default standin-chat, standin-embed)
          --answer TEXT            the answer to every chat completion
          --tokens-per-second R    streaming pace (default 200; 0: as fast as possible)
          --embedding-dimensions N length of embedding vectors (default 64)

        """

    var configuration = StandInConfiguration()
    var watchStdin = true

    /// Parses `arguments` (without the program name); throws a message for the user.
    init(_ arguments: [String]) throws(UsageError) {
        var models: [String] = []
        var rest = arguments[...]
        func value(_ option: String) throws(UsageError) -> String {
            guard let value = rest.popFirst() else { throw UsageError("\(option) needs a value") }
            return value
        }
        while let option = rest.popFirst() {
            switch option {
            case "--port":
                let text = try value(option)
                guard let port = Int(text), (0...65_535).contains(port) else { throw UsageError("bad port \(text)") }
                configuration.port = port
            case "--api-key": configuration.apiKey = try value(option)
            case "--model": models.append(try value(option))
            case "--answer": configuration.answer = try value(option)
            case "--tokens-per-second":
                let text = try value(option)
                guard let rate = Double(text), rate >= 0 else { throw UsageError("bad rate \(text)") }
                configuration.tokensPerSecond = rate
            case "--embedding-dimensions":
                let text = try value(option)
                guard let count = Int(text), count > 0 else { throw UsageError("bad dimension count \(text)") }
                configuration.embeddingDimensions = count
            case "--ignore-stdin": watchStdin = false
            case "--help", "-h": throw UsageError(nil)
            default: throw UsageError("unknown option \(option)")
            }
        }
        if !models.isEmpty { configuration.models = models }
    }
}

/// A command line that cannot be run; nil message: just show the usage.
struct UsageError: Error {
    let message: String?
    init(_ message: String?) { self.message = message }
}
