// POST /v1/embeddings: deterministic bag-of-words vectors.
//
// Each lower-cased word (a run of letters and digits) is hashed with 64-bit FNV-1a into one of the configured
// number of buckets, which counts it; the counts are then L2-normalised. So the same text always gives the same
// vector, texts sharing words have a higher cosine than texts that share none, and a text without words gives
// the zero vector.
import JSON

extension StandInServer {
    func embeddings(_ request: RecordedRequest, on connection: Connection) throws(APIError) -> Ending {
        let body = try jsonObject(request)
        let inputs: [String]
        if let text = body["input"]?.string {
            inputs = [text]
        } else if let array = body["input"]?.array, !array.isEmpty, array.allSatisfy({ $0.string != nil }) {
            inputs = array.compactMap(\.string)
        } else {
            throw .badRequest("'input' must be a string or a non-empty array of strings.", param: "input")
        }
        let base64: Bool
        switch body["encoding_format"]?.string {
        case nil, "float": base64 = false
        case "base64": base64 = true
        case let other?: throw .badRequest("Invalid encoding_format: '\(other)'.", param: "encoding_format")
        }
        let spec = try fault(for: request)
        let model = try model(of: body)
        guard connection.pause(until: monotonicNanoseconds() + UInt64((spec.firstTokenDelay ?? 0) * 1e9)) else {
            return .abrupt
        }
        let data = inputs.enumerated().map { index, text -> JSONValue in
            let vector = Self.embedding(of: text, dimensions: configuration.embeddingDimensions)
            let encoded: JSONValue = base64 ? .string(Self.base64(vector)) : .array(vector.map(JSONValue.double))
            return ["object": "embedding", "index": .integer(Int64(index)), "embedding": encoded]
        }
        let tokens = Int64(inputs.reduce(0) { $0 + Tokenizer.words($1).count })
        connection.sendJSON(200, [
            "object": "list", "data": .array(data), "model": .string(model),
            "usage": ["prompt_tokens": .integer(tokens), "total_tokens": .integer(tokens)],
        ])
        return .graceful
    }

    /// The vector of `text` (see the top of the file).
    static func embedding(of text: String, dimensions: Int) -> [Double] {
        guard dimensions > 0 else { return [] }
        var vector = [Double](repeating: 0, count: dimensions)
        for word in Tokenizer.words(text) {
            vector[Int(fnv1a(word.utf8) % UInt64(dimensions))] += 1
        }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    /// 64-bit FNV-1a.
    static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    /// OpenAI's `encoding_format: "base64"`: the floats as little-endian float32 bytes, in base64.
    private static func base64(_ vector: [Double]) -> String {
        Base64.encode(vector.flatMap { value in
            let bits = Float(value).bitPattern
            return (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
        })
    }
}
