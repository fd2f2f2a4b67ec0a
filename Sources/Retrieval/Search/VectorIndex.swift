// Exact vector search: a brute-force scan over contiguous float32 vectors, SIMD dot products, a small top-k.
// At this scale (thousands to a few hundred thousand chunks) it is exact and fast, and needs no index to build.

/// Unit-length vectors in one contiguous array, searched by cosine similarity (a dot product of unit vectors).
public struct VectorIndex: Sendable {
    /// The chunk id of each row.
    public let ids: [Int64]
    /// The vectors, row after row, each normalized to unit length.
    let vectors: [Float]
    /// Floats per vector.
    public let dimension: Int
    /// The row of each chunk id.
    private let rows: [Int64: Int]

    /// An index over `vectors` (row i is `vectors[i * dimension ..< (i + 1) * dimension]`); rows are normalized.
    public init(ids: [Int64], vectors: [Float], dimension: Int) {
        precondition(dimension > 0 || ids.isEmpty)
        precondition(vectors.count == ids.count * dimension)
        var normalized = vectors
        for row in 0..<ids.count {
            let range = row * dimension..<(row + 1) * dimension
            var sum: Float = 0
            for i in range { sum += normalized[i] * normalized[i] }
            let scale = sum > 0 ? 1 / sum.squareRoot() : 0
            for i in range { normalized[i] *= scale }
        }
        self.ids = ids
        self.vectors = normalized
        self.dimension = dimension
        rows = Dictionary(ids.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
    }

    /// How many vectors.
    public var count: Int { ids.count }

    /// The `k` rows most similar to `query`, most similar first, with their cosine similarity.
    public func nearest(to query: [Float], k: Int) -> [(id: Int64, similarity: Float)] {
        guard !ids.isEmpty, k > 0, let q = unit(query) else { return [] }
        var best = TopK(k)
        vectors.withUnsafeBufferPointer { all in
            q.withUnsafeBufferPointer { query in
                for row in 0..<ids.count {
                    best.offer(row, Self.dot(query, all, offset: row * dimension, count: dimension))
                }
            }
        }
        return best.sorted().map { (ids[$0.row], $0.score) }
    }

    /// The cosine similarity of `query` to each chunk of `chunks` that has a vector.
    public func similarities(of chunks: [Int64], to query: [Float]) -> [Int64: Float] {
        guard let q = unit(query) else { return [:] }
        var out: [Int64: Float] = [:]
        vectors.withUnsafeBufferPointer { all in
            q.withUnsafeBufferPointer { query in
                for id in chunks {
                    guard let row = rows[id] else { continue }
                    out[id] = Self.dot(query, all, offset: row * dimension, count: dimension)
                }
            }
        }
        return out
    }

    /// `query` scaled to unit length; nil if it has the wrong dimension or no length.
    private func unit(_ query: [Float]) -> [Float]? {
        guard query.count == dimension, dimension > 0 else { return nil }
        let norm = query.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else { return nil }
        return query.map { $0 / norm }
    }

    /// The dot product of `a` and a row of `b`, sixteen lanes at a time.
    @inline(__always)
    static func dot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, offset: Int, count: Int) -> Float {
        var lanes = SIMD16<Float>()
        var i = 0
        let pa = a.baseAddress!, pb = b.baseAddress! + offset
        while i + 16 <= count {
            let x = UnsafeRawPointer(pa + i).loadUnaligned(as: SIMD16<Float>.self)
            let y = UnsafeRawPointer(pb + i).loadUnaligned(as: SIMD16<Float>.self)
            lanes += x * y
            i += 16
        }
        var sum = lanes.sum()
        while i < count {
            sum += pa[i] * pb[i]
            i += 1
        }
        return sum
    }
}

/// The k best (row, score) pairs seen, kept in a small sorted array: k is 8 to 64, so insertion is cheap.
struct TopK {
    let k: Int
    private var items: [(row: Int, score: Float)] = []

    init(_ k: Int) {
        self.k = k
        items.reserveCapacity(k + 1)
    }

    @inline(__always)
    mutating func offer(_ row: Int, _ score: Float) {
        if items.count == k, let last = items.last, score <= last.score { return }
        var index = items.count
        while index > 0 && items[index - 1].score < score { index -= 1 }
        items.insert((row, score), at: index)
        if items.count > k { items.removeLast() }
    }

    func sorted() -> [(row: Int, score: Float)] { items }
}
