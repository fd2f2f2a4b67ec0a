// Parse speed of one OpenAI streaming chunk: Quarry's JSON module against FoundationEssentials' JSONDecoder.
// Built and run by tools/bench/json/run (release, whole-module). Prints its figures; asserts nothing.

import FoundationEssentials
import JSON

let chunk = Array(
    """
    {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini",\
    "choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}
    """.utf8)

struct Chunk: Decodable {
    struct Choice: Decodable {
        struct Delta: Decodable { var content: String? }
        var index: Int
        var delta: Delta
        var finish_reason: String?
    }
    var id: String
    var object: String
    var created: Int
    var model: String
    var choices: [Choice]
}

/// Runs `body` `iterations` times, best of `rounds`, and returns nanoseconds per call.
func measure(_ iterations: Int, rounds: Int = 5, _ body: () throws -> Int) rethrows -> (ns: Double, check: Int) {
    var best = Double.infinity
    var check = 0
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        for _ in 0..<iterations { check &+= try body() }
        let elapsed = ContinuousClock.now - start
        let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        best = min(best, ns / Double(iterations))
    }
    return (best, check)
}

let iterations = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200_000
let data = Data(chunk)
let decoder = JSONDecoder()

let ours = try measure(iterations) {
    try JSONValue.parse(chunk)["choices"]?[0]?["delta"]?["content"]?.string?.utf8.count ?? 0
}
let foundation = try measure(iterations) {
    try decoder.decode(Chunk.self, from: data).choices.first?.delta.content?.utf8.count ?? 0
}
let foundationFreshData = try measure(iterations) {
    try decoder.decode(Chunk.self, from: Data(chunk)).choices.first?.delta.content?.utf8.count ?? 0
}

func row(_ name: String, _ result: (ns: Double, check: Int)) {
    let ns = (result.ns * 10).rounded() / 10
    let perSecond = Int(1e9 / result.ns)
    print("\(name)  \(ns) ns/chunk  \(perSecond) chunks/s  (check \(result.check))")
}
print("\(chunk.count)-byte chat.completion.chunk, \(iterations) iterations, best of 5 rounds")
row("JSON.JSONValue.parse + lookup           ", ours)
row("FoundationEssentials JSONDecoder        ", foundation)
row("JSONDecoder, Data copied per chunk      ", foundationFreshData)
print("ratio JSONDecoder / JSONValue: \((foundation.ns / ours.ns * 100).rounded() / 100)")
