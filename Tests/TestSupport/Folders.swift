// Shared by the test targets and the fuzzing harness: what a folder holds.
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The names of the entries directly inside `path` (without `.` and `..`), in the order the folder gives them;
/// empty when it cannot be read.
public func entryNames(in path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// The paths of the files directly inside `path` whose names do not start with a dot, sorted; `[path]` when
/// `path` is itself a file; empty when it does not exist.
public func files(in path: String) -> [String] {
    var info = stat()
    guard stat(path, &info) == 0 else { return [] }
    guard info.st_mode & S_IFMT == S_IFDIR else { return [path] }
    return entryNames(in: path).filter { !$0.hasPrefix(".") }.map { "\(path)/\($0)" }.filter {
        stat($0, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }.sorted()
}
