import Testing
@testable import TurboStream

@Test func placeholder() {}
