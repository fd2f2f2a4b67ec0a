import Glibc
import Testing
@testable import Gzip

/// Our output, decompressed by the system's `/bin/gzip -dc`, and the system's output decompressed by us.
@Test(arguments: Sample.all)
func systemGzipAgrees(_ sample: Sample) throws {
    let ours = try Gzip.compress(sample.bytes)
    #expect(try run("/bin/gzip -dc", input: ours) == sample.bytes)
    let theirs = try run("/bin/gzip -c -9", input: sample.bytes)
    #expect(try Gzip.decompress(theirs, limit: sample.bytes.count) == sample.bytes)
}

/// A failure of the test's own plumbing.
struct ShellError: Error, CustomStringConvertible {
    let description: String
}

/// Runs `command` with its standard input read from a temporary file holding `input`, returning its standard
/// output; throws if it exits non-zero.
func run(_ command: String, input: [UInt8]) throws -> [UInt8] {
    var template = Array("/tmp/quarry-gzip-test-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    guard fd >= 0 else { throw ShellError(description: "mkstemp failed") }
    let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    defer { unlink(path) }
    var written = 0
    while written < input.count {
        let count = input[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { close(fd); throw ShellError(description: "write failed") }
        written += count
    }
    close(fd)

    guard let pipe = popen("\(command) < \(path)", "r") else { throw ShellError(description: "popen failed") }
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, pipe) }
        if count == 0 { break }
        output += buffer[..<count]
    }
    let status = pclose(pipe)
    guard status == 0 else { throw ShellError(description: "\(command) exited with \(status)") }
    return output
}
