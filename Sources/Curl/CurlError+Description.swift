#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

extension CurlError {
    /// A sentence for the person at the kiosk, naming the server by its origin (scheme, host and port, never a
    /// path, query or password), e.g. "Could not connect to http://127.0.0.1:1234: connection refused."
    public var description: String {
        let server = Self.origin(of: url)
        if isCancelled { return "The request was cancelled." }
        switch code {
        case .unsupportedProtocol: return "\(server) is not an http or https address."
        case .urlMalformat: return "\(server) is not a valid address."
        case .couldntResolveHost: return "Could not find the server \(server)."
        case .couldntConnect: return "Could not connect to \(server): \(connectFailure)."
        case .operationTimedout: return "\(server) did not answer in time."
        case .sslConnectError: return "Could not open a secure connection to \(server)."
        case .peerFailedVerification: return "The certificate of \(server) could not be verified."
        case .gotNothing: return "\(server) closed the connection without answering."
        case .sendError, .recvError, .partialFile, .http2, .http2Stream:
            return "The connection to \(server) broke off."
        case .weirdServerReply: return "\(server) did not answer in HTTP."
        case .tooManyRedirects: return "\(server) redirected too many times."
        case .badFunctionArgument: return "The request to \(server) is invalid: \(message)."
        default: return "The request to \(server) failed (\(code))."
        }
    }

    /// Why a connect failed, from its `errno`, in words for a person.
    private var connectFailure: String {
        switch systemErrno {
        case ECONNREFUSED: "connection refused"
        case ETIMEDOUT: "no answer"
        case EHOSTUNREACH: "host unreachable"
        case ENETUNREACH: "network unreachable"
        default: "the server is not reachable"
        }
    }

    /// `scheme://host:port` of `url`, without user information; the whole string if it has no `://`.
    static func origin(of url: String) -> String {
        guard let separator = url.firstRange(of: "://") else { return url }
        let afterScheme = url[separator.upperBound...]
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority
        return String(url[..<separator.upperBound]) + host
    }
}
