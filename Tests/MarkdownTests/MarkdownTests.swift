import Testing
@testable import Markdown

@Test func placeholder() {}
