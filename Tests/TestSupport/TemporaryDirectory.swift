// Shared by the test targets: a temporary folder per test.
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Runs `body` with a fresh, empty folder (`mkdtemp` under `$TMPDIR` or `/tmp`), then deletes the folder and the
/// files in it (the database and its `-wal` and `-shm` companions).
public func withTemporaryDirectory<Result>(_ body: (String) throws -> Result) throws -> Result {
    let parent = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array("\(parent)/quarry-tests-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw TemporaryDirectoryError(errno: errno)
    }
    let path = String(cString: made)
    defer { removeDirectory(path) }
    return try body(path)
}

/// `mkdtemp` failed with this `errno`.
public struct TemporaryDirectoryError: Error { public let errno: Int32 }

/// Deletes what is inside `path` (folders in it too, links not followed), then the folder itself.
private func removeDirectory(_ path: String) {
    for name in entryNames(in: path) {
        var info = stat()
        let child = "\(path)/\(name)"
        if lstat(child, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { removeDirectory(child) } else { unlink(child) }
    }
    rmdir(path)
}

/// Writes `bytes` to a new file at `path` (`fopen`, `fwrite`).
public func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    guard let file = fopen(path, "wb") else { throw TemporaryDirectoryError(errno: errno) }
    defer { fclose(file) }
    guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw TemporaryDirectoryError(errno: errno) }
}

/// `withTemporaryDirectory` for async bodies.
public func withTemporaryDirectoryAsync<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    let parent = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array("\(parent)/quarry-tests-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw TemporaryDirectoryError(errno: errno)
    }
    let path = String(cString: made)
    defer { removeDirectory(path) }
    return try await body(path)
}
