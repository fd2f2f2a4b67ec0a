// The fault a request asks for: `X-Standin-Fault: <spec>` or `[standin:<spec>]` in the last user message.
//
// Grammar: spec = option *("," option); option = name ["=" value]; whitespace around either is ignored.
// `FaultSpec.options` is the table of names; an unknown name, a missing or extra value, or a value that does not
// parse is an error naming the option, answered with 400 so that a typo in a test is loud.

/// A parsed fault spec; the defaults mean "behave normally".
struct FaultSpec: Equatable {
    /// The spec as written (trimmed): the key under which `times=` counts requests.
    var text = ""
    var status: Int?
    var retryAfter: Int?
    var times: Int?
    var cutAfter: Int?
    var stallAfter: Int?
    var errorAfter: Int?
    var firstTokenDelay: Double?
    var tokenDelay: Double?
    var reasoning = 0
    var answer: String?
    var noDone = false
    var crlf = false
    var noSpace = false
    var comments = false
    var split = false
    var timestamps = false
    var chunked = false
    var reset = false

    /// Whether the spec changes anything.
    var isEmpty: Bool { self == FaultSpec(text: text) }

    private typealias Apply = @Sendable (inout FaultSpec, String?) throws(FaultSpecError) -> Void

    /// The option table: name → how its value changes the spec.
    private static let options: [String: Apply] = [
        "status": { spec, value throws(FaultSpecError) in spec.status = try integer("status", value, in: 400...599) },
        "retry-after": { spec, value throws(FaultSpecError) in spec.retryAfter = try integer("retry-after", value) },
        "times": { spec, value throws(FaultSpecError) in spec.times = try integer("times", value) },
        "cut-after": { spec, value throws(FaultSpecError) in spec.cutAfter = try integer("cut-after", value) },
        "stall-after": { spec, value throws(FaultSpecError) in spec.stallAfter = try integer("stall-after", value) },
        "error-after": { spec, value throws(FaultSpecError) in spec.errorAfter = try integer("error-after", value) },
        "reasoning": { spec, value throws(FaultSpecError) in spec.reasoning = try integer("reasoning", value) },
        "first-token-delay": { spec, value throws(FaultSpecError) in
            spec.firstTokenDelay = try seconds("first-token-delay", value)
        },
        "token-delay": { spec, value throws(FaultSpecError) in spec.tokenDelay = try seconds("token-delay", value) },
        "answer": { spec, value throws(FaultSpecError) in
            guard let value, let bytes = Base64.decode(value), let text = String(validating: bytes, as: UTF8.self)
            else { throw FaultSpecError("answer= needs url-safe base64 of UTF-8 text") }
            spec.answer = text
        },
        "no-done": flag("no-done", \.noDone),
        "crlf": flag("crlf", \.crlf),
        "no-space": flag("no-space", \.noSpace),
        "comments": flag("comments", \.comments),
        "split": flag("split", \.split),
        "timestamps": flag("timestamps", \.timestamps),
        "chunked": flag("chunked", \.chunked),
        "reset": flag("reset", \.reset),
    ]

    /// The option names, sorted, for error messages and documentation.
    static var optionNames: [String] { options.keys.sorted() }

    /// Parses `text`; throws an error that names the offending option.
    static func parse(_ text: String) throws(FaultSpecError) -> FaultSpec {
        var spec = FaultSpec(text: trimmed(Substring(text)))
        for item in spec.text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = trimmed(parts[0])
            guard let apply = options[name] else {
                let known = optionNames.joined(separator: ", ")
                throw FaultSpecError("unknown stand-in fault option `\(name)` (known: \(known))")
            }
            try apply(&spec, parts.count > 1 ? trimmed(parts[1]) : nil)
        }
        let endings = [spec.cutAfter, spec.stallAfter, spec.errorAfter].compactMap(\.self)
        if endings.count > 1 { throw FaultSpecError("choose one of cut-after, stall-after, error-after") }
        if spec.status == nil && (spec.times != nil || spec.retryAfter != nil) {
            throw FaultSpecError("times= and retry-after= need status=")
        }
        if spec.reset && spec.cutAfter == nil && spec.errorAfter == nil {
            throw FaultSpecError("reset needs cut-after= or error-after=")
        }
        return spec
    }

    private static func flag(_ name: String, _ path: any WritableKeyPath<FaultSpec, Bool> & Sendable) -> Apply {
        { spec, value throws(FaultSpecError) in
            if value != nil { throw FaultSpecError("fault option `\(name)` takes no value") }
            spec[keyPath: path] = true
        }
    }

    private static func integer(
        _ name: String, _ value: String?, in range: ClosedRange<Int> = 0...1_000_000
    ) throws(FaultSpecError) -> Int {
        guard let value, let number = Int(value), range.contains(number) else {
            let bounds = "\(range.lowerBound)...\(range.upperBound)"
            throw FaultSpecError("fault option `\(name)` needs a whole number in \(bounds)")
        }
        return number
    }

    private static func seconds(_ name: String, _ value: String?) throws(FaultSpecError) -> Double {
        guard let value, let number = Double(value), number >= 0, number <= 3600 else {
            throw FaultSpecError("fault option `\(name)` needs seconds between 0 and 3600")
        }
        return number
    }
}

/// A fault spec that does not parse.
struct FaultSpecError: Error, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}
