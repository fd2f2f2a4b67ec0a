import Testing
@testable import StandIn
@Test func placeholder() {}
