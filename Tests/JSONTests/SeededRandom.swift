// Deterministic randomness for the generated and fuzz tests: the same seed gives the same cases on every run.

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough to spread test cases.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `1 / n`.
    mutating func oneIn(_ n: Int) -> Bool { Int.random(in: 0..<n, using: &self) == 0 }

    /// A random element of a non-empty collection.
    mutating func pick<C: Collection>(_ items: C) -> C.Element { items.randomElement(using: &self)! }
}
