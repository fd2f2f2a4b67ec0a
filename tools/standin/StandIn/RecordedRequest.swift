// What tests can see of each request the stand-in received.
public import JSON

/// A request as the stand-in received it, recorded in arrival order by `StandInServer.requests`.
public struct RecordedRequest: Sendable {
    /// One header line, name as sent.
    public struct Header: Sendable, Equatable {
        /// The header's name, with the client's capitalisation.
        public var name: String
        /// The value, without surrounding whitespace.
        public var value: String

        /// A header line.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The method, e.g. `POST`.
    public var method: String
    /// The path, without any query string.
    public var path: String
    /// The headers in the order they came.
    public var headers: [Header]
    /// The raw body.
    public var body: [UInt8]
    /// The body parsed as JSON, or nil when it is empty or not JSON.
    public var json: JSONValue?

    /// The value of the first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}
