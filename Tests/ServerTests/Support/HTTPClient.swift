// One HTTP/1.1 request over a fresh connection, for tests.
import TextLines

struct TestHTTPResponse {
    let status: Int
    let headers: [(String, String)]
    let body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first(where: { $0.0.lowercased() == name.lowercased() })?.1
    }
    func headers(_ name: String) -> [String] {
        headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
    }
    var text: String { String(decoding: body, as: UTF8.self) }
}

func httpRequest(port: Int, _ path: String, method: String = "GET", headers: [(String, String)] = [],
                 body: String? = nil, source: String? = nil) throws -> TestHTTPResponse {
    let connection = try TCPConnection(port: port, source: source)
    var request = "\(method) \(path) HTTP/1.1\r\nConnection: close\r\n"
    if !headers.contains(where: { $0.0.lowercased() == "host" }) { request += "Host: 127.0.0.1:\(port)\r\n" }
    for (name, value) in headers { request += "\(name): \(value)\r\n" }
    if let body { request += "Content-Length: \(body.utf8.count)\r\n" }
    request += "\r\n" + (body ?? "")
    try connection.write(request)
    let head = String(decoding: try connection.take(until: Array("\r\n\r\n".utf8)), as: UTF8.self)
    var lines = head.split(separator: "\r\n").map(String.init)
    let statusLine = lines.removeFirst().split(separator: " ")
    let status = Int(statusLine[1]) ?? 0
    let parsed = lines.compactMap { line -> (String, String)? in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingBlanks)
    }
    let response = TestHTTPResponse(status: status, headers: parsed, body: [])
    if method == "HEAD" || status == 304 { return response }
    let body: [UInt8]
    if let length = response.header("content-length").flatMap({ Int($0) }) {
        body = try connection.take(length, what: "body")
    } else {
        body = try connection.readToEnd()
    }
    return TestHTTPResponse(status: status, headers: parsed, body: body)
}
