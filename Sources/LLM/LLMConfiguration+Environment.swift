// The model's configuration from the environment.
//
// | variable                     | meaning                                   | default                    |
// | ---------------------------- | ----------------------------------------- | -------------------------- |
// | QUARRY_LLM_BASE_URL          | the API's base URL, up to /v1             | https://api.openai.com/v1 when a key is set |
// | QUARRY_LLM_API_KEY           | the key (else OPENAI_API_KEY)             | none                       |
// | OPENAI_API_KEY               | the key, as OpenAI's own tools read it    | none                       |
// | QUARRY_LLM_MODEL             | the chat model                            | gpt-4o-mini                |
// | QUARRY_EMBEDDINGS_MODEL      | the embeddings model                      | text-embedding-3-small     |
// | QUARRY_LLM_HEADERS           | extra headers, `Name: value` joined by `;`| none                       |
// | QUARRY_LLM_CONNECT_TIMEOUT   | seconds to connect                        | 10                         |
// | QUARRY_LLM_FIRST_TOKEN_TIMEOUT | seconds to the first piece of answer    | 180                        |
// | QUARRY_LLM_IDLE_TIMEOUT      | seconds between pieces                    | 60                         |
// | QUARRY_LLM_TOTAL_TIMEOUT     | seconds for a whole answer                | 900                        |
// | QUARRY_LLM_REQUESTS_PER_MINUTE | chat requests the server may send a minute, retries included; 0: no ceiling | 60 |
//
// No base URL and no key: no model is configured, and Quarry answers with passages (ExtractiveAnswerer).
// Proxies come from the environment as curl reads them (http_proxy, https_proxy, no_proxy); TLS is verified.
internal import TextLines

extension LLMConfiguration {
    /// The configuration `environment` describes, nil when it configures no model; throws a sentence for the
    /// person setting it up when a value is malformed.
    public static func fromEnvironment(_ environment: [String: String]) throws(LLMConfigurationError) -> LLMConfiguration? {
        func value(_ key: String) -> String? {
            environment[key].flatMap { $0.trimmingBlanks.isEmpty ? nil : $0.trimmingBlanks }
        }
        let key = value("QUARRY_LLM_API_KEY") ?? value("OPENAI_API_KEY")
        let base = value("QUARRY_LLM_BASE_URL")
        guard key != nil || base != nil else { return nil }
        var configuration = LLMConfiguration(apiKey: key)
        if let base {
            guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
                throw LLMConfigurationError("QUARRY_LLM_BASE_URL must start with http:// or https://, like http://localhost:11434/v1")
            }
            configuration.baseURL = base
        }
        if let model = value("QUARRY_LLM_MODEL") { configuration.model = model }
        if let model = value("QUARRY_EMBEDDINGS_MODEL") { configuration.embeddingsModel = model }
        if let headers = value("QUARRY_LLM_HEADERS") {
            for item in headers.split(separator: ";") {
                guard let colon = item.firstIndex(of: ":") else {
                    throw LLMConfigurationError("QUARRY_LLM_HEADERS must be `Name: value` pairs joined by `;`")
                }
                configuration.extraHeaders.append((String(item[..<colon]).trimmingBlanks,
                                                   String(item[item.index(after: colon)...]).trimmingBlanks))
            }
        }
        func seconds(_ key: String, into path: WritableKeyPath<LLMConfiguration, Duration>) throws(LLMConfigurationError) {
            guard let text = value(key) else { return }
            guard let number = Double(text), number > 0, number <= 86_400 else {
                throw LLMConfigurationError("\(key) must be a number of seconds, not “\(text)”")
            }
            configuration[keyPath: path] = .milliseconds(Int64(number * 1000))
        }
        try seconds("QUARRY_LLM_CONNECT_TIMEOUT", into: \.connectTimeout)
        try seconds("QUARRY_LLM_FIRST_TOKEN_TIMEOUT", into: \.firstTokenTimeout)
        try seconds("QUARRY_LLM_IDLE_TIMEOUT", into: \.idleTimeout)
        try seconds("QUARRY_LLM_TOTAL_TIMEOUT", into: \.totalTimeout)
        if let text = value("QUARRY_LLM_REQUESTS_PER_MINUTE") {
            guard let number = Int(text), (0...100_000).contains(number) else {
                throw LLMConfigurationError("QUARRY_LLM_REQUESTS_PER_MINUTE must be a whole number from 0 (no ceiling) "
                                            + "to 100000, not “\(text)”")
            }
            configuration.maxRequestsPerMinute = number == 0 ? nil : number
        }
        return configuration
    }
}

/// A malformed model setting, said for the person setting Quarry up.
public struct LLMConfigurationError: Error, Equatable, CustomStringConvertible {
    /// What is wrong and how to put it right.
    public let description: String
    init(_ description: String) { self.description = description }
}
