// quarry-llm-bench: many concurrent answers streamed from the stand-in server, through the real LLM client.
//
//   quarry-llm-bench <stand-in base URL> <streams> <tokens per stream>
//
// The stand-in (started by tools/bench/llm-client, pinned to another CPU) writes each token's text as the
// CLOCK_MONOTONIC nanoseconds of its write. For every token this measures how long after that write the
// client's stream yielded it, and the client's CPU time per token. It runs twice in one process:
//   - Quarry's way: every stream on one CurlMulti, so one transfer thread for all;
//   - the baseline: a CurlMulti per stream, so one transfer thread per stream (as a blocking client would need).
import Curl
import LLM
import Locking
#if canImport(Glibc)
import Glibc
#endif

func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// User plus system CPU time of this process, in nanoseconds (`getrusage`).
func cpuNanoseconds() -> UInt64 {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func ns(_ t: timeval) -> UInt64 { UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_usec) * 1000 }
    return ns(usage.ru_utime) + ns(usage.ru_stime)
}

func base64URL(_ text: String) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    let bytes = Array(text.utf8)
    var out = "", i = 0
    while i < bytes.count {
        let chunk = bytes[i..<min(i + 3, bytes.count)]
        var n = 0
        for (k, b) in chunk.enumerated() { n |= Int(b) << (16 - 8 * k) }
        for k in 0..<(chunk.count + 1) { out.append(alphabet[(n >> (18 - 6 * k)) & 63]) }
        i += 3
    }
    return out
}

struct Result {
    var latencies: [UInt64] = []
    var tokens = 0
    var failures = 0
}

/// Streams `streams` answers at once; `multiFor(i)` gives stream i its transfer thread.
func run(baseURL: String, streams: Int, tokens: Int, multiFor: (Int) -> CurlMulti) async -> (Result, cpu: UInt64, wall: UInt64) {
    let answer = (0..<tokens).map { "w\($0)" }.joined(separator: " ")
    var configuration = LLMConfiguration(baseURL: baseURL, apiKey: "bench", model: "standin-chat")
    configuration.extraHeaders = [("X-Standin-Fault", "timestamps,answer=\(base64URL(answer))")]
    let clients = (0..<streams).map { LLMClient(configuration: configuration, multi: multiFor($0)) }
    let cpuBefore = cpuNanoseconds(), wallBefore = monotonicNanoseconds()
    let result = await withTaskGroup(of: Result.self) { group in
        for client in clients {
            group.addTask {
                var own = Result()
                do {
                    for try await delta in client.streamChat([ChatMessage(role: "user", content: "bench")]) {
                        guard case .text(let text) = delta else { continue }
                        let now = monotonicNanoseconds()
                        for word in text.split(separator: " ") {
                            if let written = UInt64(word), now >= written { own.latencies.append(now - written) }
                            own.tokens += 1
                        }
                    }
                } catch {
                    own.failures += 1
                }
                return own
            }
        }
        var all = Result()
        for await own in group {
            all.latencies += own.latencies
            all.tokens += own.tokens
            all.failures += own.failures
        }
        return all
    }
    return (result, cpuNanoseconds() - cpuBefore, monotonicNanoseconds() - wallBefore)
}

func percentile(_ sorted: [UInt64], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6
}

func report(_ name: String, _ outcome: (Result, cpu: UInt64, wall: UInt64), streams: Int, tokens: Int, targets: Bool) {
    let (result, cpu, wall) = outcome
    let sorted = result.latencies.sorted()
    let cpuPerToken = Double(cpu) / Double(max(result.tokens, 1)) / 1000
    let cores = Double(cpu) / Double(wall)
    func line(_ label: String, _ value: String, _ target: String = "", _ verdict: String = "") {
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(1, width - text.count)) }
        print(pad(label, 52) + pad(value, 22) + pad(target, 20) + verdict)
    }
    print("\n\(name)")
    line("  tokens received / expected", "\(result.tokens) / \(streams * tokens)", "all", result.tokens == streams * tokens && result.failures == 0 ? "PASS" : "FAIL")
    let p99 = percentile(sorted, 0.99)
    line("  added latency p50", String(format2(percentile(sorted, 0.5))) + " ms")
    line("  added latency p99", String(format2(p99)) + " ms", targets ? "≤ 2 ms" : "", targets ? (p99 <= 2 ? "PASS" : "FAIL") : "")
    line("  added latency max", String(format2(percentile(sorted, 1.0))) + " ms")
    line("  client CPU per token", String(format2(cpuPerToken)) + " µs")
    line("  client CPU while streaming", String(format2(cores * 100)) + " % of one core",
         targets ? "well under 100 %" : "", targets ? (cores < 0.5 ? "PASS" : "FAIL") : "")
    line("  wall time", String(format2(Double(wall) / 1e9)) + " s")
}

func format2(_ value: Double) -> String {
    let scaled = Int((value * 100).rounded())
    let fraction = abs(scaled % 100)
    return "\(scaled / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let streams = Int(arguments[2]), let tokens = Int(arguments[3]) else {
    print("usage: quarry-llm-bench <base URL> <streams> <tokens per stream>")
    exit(2)
}
let baseURL = arguments[1]
print("\(streams) concurrent streams of \(tokens) tokens from the stand-in (\(baseURL))")
let shared = try CurlMulti()
let quarry = await run(baseURL: baseURL, streams: streams, tokens: tokens) { _ in shared }
report("Quarry: one transfer thread for every stream", quarry, streams: streams, tokens: tokens, targets: true)
let perStream = (0..<streams).map { _ in try! CurlMulti() }
let baseline = await run(baseURL: baseURL, streams: streams, tokens: tokens) { perStream[$0] }
report("baseline: a transfer thread per stream", baseline, streams: streams, tokens: tokens, targets: false)
let failed = quarry.0.tokens != streams * tokens || quarry.0.failures > 0
exit(failed ? 1 : 0)
