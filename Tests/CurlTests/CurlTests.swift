import Testing
@testable import Curl

@Test func placeholder() {}
