import Testing
@testable import LLM
@Test func placeholder() {}
