@testable import LLM
import Testing

/// The endpoint as the log shows it: never the password a URL carries.
@Suite struct LoggableURLTests {
    @Test(arguments: [
        ("https://api.openai.com/v1", "https://api.openai.com/v1"),
        ("http://bob:hunter2@gateway.local:8080/v1", "http://bob:***@gateway.local:8080/v1"),
        ("http://bob:p@ss@gateway.local/v1?x=1", "http://bob:***@gateway.local/v1?x=1"),
        ("http://bob@gateway.local/v1", "http://bob@gateway.local/v1"),
        ("http://gateway.local/v1/a@b:c", "http://gateway.local/v1/a@b:c"),
        ("http://:token@[::1]:11434/v1", "http://:***@[::1]:11434/v1"),
        ("not a url", "not a url"),
    ])
    func passwordsAreRedacted(_ url: String, _ logged: String) {
        #expect(LLMConfiguration(baseURL: url, apiKey: nil, model: "m").loggableBaseURL == logged)
    }
}
