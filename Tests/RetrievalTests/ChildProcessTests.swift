// The child-process runner against real programs: cat, sleep, sh, ls.

import Testing
@testable import Retrieval
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ChildProcessTests {
    /// 5 MB that are not one repeated byte, so a lost or reordered piece shows.
    static let fiveMegabytes: [UInt8] = (0..<5_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }

    @Test func catReturnsFiveMegabytesFedToItsStdin() throws {
        let outcome = try ChildProcess.run("/bin/cat", [], input: Self.fiveMegabytes, seconds: 60, stdoutLimit: 8 << 20)
        #expect(outcome.termination == .exited(0))
        #expect(outcome.stdout == Self.fiveMegabytes)
        #expect(outcome.stderr.isEmpty && !outcome.timedOut && !outcome.outputLimitHit)
    }

    @Test func outputPastTheLimitKillsTheProgram() throws {
        let outcome = try ChildProcess.run("/usr/bin/yes", [], seconds: 60, stdoutLimit: 100_000)
        #expect(outcome.outputLimitHit && !outcome.timedOut)
        #expect(outcome.stdout.count == 100_000)
        #expect(outcome.termination == .signalled(SIGKILL))

        let echoed = try ChildProcess.run("/bin/cat", [], input: Self.fiveMegabytes, seconds: 60, stdoutLimit: 1 << 20)
        #expect(echoed.outputLimitHit && echoed.stdout == Array(Self.fiveMegabytes.prefix(1 << 20)))
    }

    @Test func outputOfExactlyTheLimitIsKept() throws {
        let outcome = try ChildProcess.run("/bin/cat", [], input: Array(Self.fiveMegabytes.prefix(4096)), seconds: 60,
                                           stdoutLimit: 4096)
        #expect(!outcome.outputLimitHit && outcome.termination == .exited(0) && outcome.stdout.count == 4096)
    }

    @Test func aProgramPastTheTimeLimitIsKilledWithWhatItStarted() throws {
        let start = ChildProcess.Clock.now()
        // The shell starts a sleep in the background and prints its pid, then waits: both must die.
        let outcome = try ChildProcess.run("/bin/sh", ["-c", "sleep 100 & echo $!; wait"], seconds: 0.5,
                                           stdoutLimit: 1024)
        let elapsed = Double(ChildProcess.Clock.now() - start) / 1e9
        #expect(outcome.timedOut && !outcome.outputLimitHit)
        #expect(outcome.termination == .signalled(SIGKILL))
        #expect(elapsed < 0.5 + 10, "returns at the limit, not when sleep ends")
        let sleeper = pid_t(String(decoding: outcome.stdout, as: UTF8.self).split(separator: "\n").first ?? "") ?? 0
        #expect(sleeper > 0)
        #expect(Self.waitUntilGone(sleeper), "the background sleep was killed with its group")
    }

    @Test func sleepPastTheTimeLimit() throws {
        let outcome = try ChildProcess.run("/bin/sleep", ["100"], seconds: 0.3, stdoutLimit: 1024)
        #expect(outcome.timedOut && outcome.termination == .signalled(SIGKILL))
    }

    @Test func aMissingProgramIsALaunchFailure() {
        #expect(throws: ChildProcess.LaunchFailure(program: "/nonexistent/pdftotext", errno: ENOENT)) {
            try ChildProcess.run("/nonexistent/pdftotext", [], seconds: 5, stdoutLimit: 1024)
        }
        #expect(ChildProcess.LaunchFailure(program: "x", errno: ENOENT).isMissing)
    }

    @Test func exitStatusAndStderrComeBack() throws {
        let outcome = try ChildProcess.run("/bin/sh", ["-c", "echo out; echo oops >&2; exit 3"], seconds: 60,
                                           stdoutLimit: 1024)
        #expect(outcome.termination == .exited(3))
        #expect(outcome.stdout == Array("out\n".utf8) && outcome.stderrText == "oops\n")
    }

    @Test func stderrIsBoundedAndDrained() throws {
        // 1 MB on stderr: more than a pipe holds, so the program would block if it were not drained.
        let outcome = try ChildProcess.run("/bin/sh", ["-c", "head -c 1000000 /dev/zero >&2; echo done"], seconds: 60,
                                           stdoutLimit: 1024, stderrLimit: 8192)
        #expect(outcome.termination == .exited(0) && outcome.stdout == Array("done\n".utf8))
        #expect(outcome.stderr.count == 8192)
    }

    @Test func aProgramThatDoesNotReadItsInputEndsNormally() throws {
        // Its stdin closes with 5 MB unwritten: EPIPE, not a SIGPIPE that would end the test process.
        let outcome = try ChildProcess.run("/bin/true", [], input: Self.fiveMegabytes, seconds: 60, stdoutLimit: 1024)
        #expect(outcome.termination == .exited(0) && !outcome.timedOut)
        let echoed = try ChildProcess.run("/usr/bin/head", ["-c", "10"], input: Self.fiveMegabytes, seconds: 60,
                                          stdoutLimit: 1024)
        #expect(echoed.termination == .exited(0) && echoed.stdout == Array(Self.fiveMegabytes.prefix(10)))
    }

    @Test func theChildHasOnlyStdinStdoutAndStderr() throws {
        // ls opens /proc/self/fd itself (3); anything else open in the child leaked from this process.
        let outcome = try ChildProcess.run("/bin/ls", ["/proc/self/fd"], input: [1, 2, 3], seconds: 60,
                                           stdoutLimit: 1024)
        #expect(outcome.stdout == Array("0\n1\n2\n3\n".utf8))
    }

    @Test func noDescriptorIsLeftOpen() throws {
        // Other suites run in parallel in this process and open files of their own, so the count may drift by a few;
        // 40 runs that each leaked their pipes would leave at least 80.
        let before = Self.openDescriptors()
        for run in 0..<40 {
            switch run % 4 {
            case 0: _ = try ChildProcess.run("/bin/cat", [], input: [1, 2, 3], seconds: 60, stdoutLimit: 1024)
            case 1: _ = try ChildProcess.run("/usr/bin/yes", [], seconds: 60, stdoutLimit: 10)
            case 2: _ = try ChildProcess.run("/bin/sleep", ["10"], seconds: 0.01, stdoutLimit: 10)
            default: _ = try? ChildProcess.run("/nonexistent", [], seconds: 1, stdoutLimit: 10)
            }
        }
        #expect(Self.openDescriptors() < before + 10)
    }

    @Test func manyRunsAtOnceFromSwiftConcurrency() async throws {
        let inputs = (0..<8).map { index in Array(Self.fiveMegabytes.prefix(200_000 + index * 50_000)) }
        let results = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for (index, input) in inputs.enumerated() {
                group.addTask {
                    let outcome = try ChildProcess.run("/bin/cat", [], input: input, seconds: 60, stdoutLimit: 1 << 20)
                    return (index, outcome.stdout)
                }
            }
            var results: [Int: [UInt8]] = [:]
            for try await (index, output) in group { results[index] = output }
            return results
        }
        for (index, input) in inputs.enumerated() { #expect(results[index] == input) }
    }

    // MARK: Helpers

    static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return count
    }

    /// Whether `pid` is gone (or a zombie waiting for init), waiting up to 10 s for the kernel to finish the kill.
    static func waitUntilGone(_ pid: pid_t) -> Bool {
        for _ in 0..<1000 {
            guard let file = fopen("/proc/\(pid)/stat", "r") else { return true }
            var line = [CChar](repeating: 0, count: 512)
            let read = fgets(&line, Int32(line.count), file) != nil
            fclose(file)
            let stat = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // The state follows the command's closing parenthesis.
            if !read { return true }
            if let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].hasPrefix(" Z") { return true }
            usleep(10_000)
        }
        return false
    }
}
