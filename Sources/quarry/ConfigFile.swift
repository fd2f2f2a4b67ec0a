// `quarry serve --config FILE` (and `doctor`): a settings file of KEY=value lines, the same file systemd reads as the
// service's EnvironmentFile (packaging/quarry.conf, installed as /etc/quarry/quarry.conf). Its values sit beneath
// the environment: a variable set there wins, and a flag wins over both.
//
// Syntax, the part of systemd's EnvironmentFile that a settings file needs: `KEY=value`; blank lines and lines
// starting with `#` or `;` are ignored; spaces around the key and the value are trimmed; a value in matching single
// or double quotes loses them. Only Quarry's settings (`QUARRY_…`, and `OPENAI_API_KEY`) may be set: anything else
// is a mistake worth saying (a typo, or a file meant for another program).
#if canImport(Glibc)
import Glibc
#endif
import TextLines

enum ConfigFile {
    /// The most a settings file may hold.
    static let maxBytes = 65_536

    /// The settings in the file at `path`.
    static func read(_ path: String) throws(UsageError) -> [String: String] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw UsageError(message: "The settings file \(path) cannot be read: \(String(cString: strerror(errno))).")
        }
        defer { close(fd) }
        var bytes: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += buffer[..<count]
            guard bytes.count <= maxBytes else {
                throw UsageError(message: "The settings file \(path) is over \(maxBytes / 1024) KB: is it the right file?")
            }
        }
        return try parse(String(decoding: bytes, as: UTF8.self), name: path)
    }

    /// The settings in `text`; `name` says where it came from in messages.
    static func parse(_ text: String, name: String) throws(UsageError) -> [String: String] {
        var settings: [String: String] = [:]
        let lines: [KeyValueLine]
        // Not the line itself in the message: it may be a key pasted on its own.
        do { lines = try KeyValueLine.lines(of: text, comments: ["#", ";"]) } catch {
            throw UsageError(message: "\(name), line \(error.line) is not KEY=value.")
        }
        for line in lines {
            let key = line.key
            var value = line.value
            guard key.hasPrefix("QUARRY_") || key == "OPENAI_API_KEY",
                  key.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) else {
                throw UsageError(message: "\(name), line \(line.number): “\(key.prefix(60))” is not one of Quarry's settings "
                                 + "(they start with QUARRY_; packaging/quarry.conf lists them all).")
            }
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            settings[key] = value
        }
        return settings
    }
}

extension Environment {
    /// This environment over the settings of the file at `path` (nil: this environment as it is).
    func over(configFile path: String?) throws(UsageError) -> Environment {
        guard let path else { return self }
        return Environment(values: try ConfigFile.read(path).merging(values) { _, environment in environment })
    }
}
