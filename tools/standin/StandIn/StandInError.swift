// The stand-in's one error type.
internal import Glibc

/// Why the stand-in server could not start.
public struct StandInError: Error, Sendable, CustomStringConvertible {
    /// What was being attempted, e.g. "bind 127.0.0.1:8080".
    public let operation: String
    /// The C `errno` at the failure (0 when none applies).
    public let code: Int32

    /// A message naming the operation and the system's reason.
    public var description: String {
        code == 0 ? "\(operation) failed" : "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))"
    }

    init(_ operation: String, code: Int32 = errno) {
        self.operation = operation
        self.code = code
    }
}
