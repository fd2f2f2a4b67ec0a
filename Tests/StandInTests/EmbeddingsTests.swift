// POST /v1/embeddings: deterministic, normalised bag-of-words vectors.
import JSON
import Testing
@testable import StandIn

@Suite struct EmbeddingsTests {
    func embed(_ port: Int, _ input: JSONValue, format: String? = nil) throws -> RawResponse {
        var body: [String: JSONValue] = ["model": "standin-embed", "input": input]
        if let format { body["encoding_format"] = .string(format) }
        return try request(port, "POST", "/v1/embeddings", body: Array(JSONValue.object(body).serialized.utf8))
    }

    func vectors(_ response: RawResponse) -> [[Double]] {
        (response.json?["data"]?.array ?? []).map { ($0["embedding"]?.array ?? []).compactMap(\.double) }
    }

    func cosine(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    @Test func responseHasOpenAIsShape() throws {
        try withServer(StandInConfiguration(embeddingDimensions: 32)) { _, port in
            let response = try embed(port, ["the café opens at eight", "deliveries come to the side door"])
            #expect(response.status == 200)
            let json = try #require(response.json)
            #expect(json["object"] == "list")
            #expect(json["model"] == "standin-embed")
            let data = try #require(json["data"]?.array)
            #expect(data.map { $0["object"] } == ["embedding", "embedding"])
            #expect(data.map { $0["index"] } == [0, 1])
            #expect(vectors(response).map(\.count) == [32, 32])
            #expect(json["usage"] == ["prompt_tokens": 11, "total_tokens": 11])
        }
    }

    @Test func vectorsAreDeterministicAndNormalised() throws {
        try withServer { _, port in
            let first = vectors(try embed(port, "When does the café open?"))
            let again = vectors(try embed(port, ["when does the CAFÉ open"]))
            #expect(first == again)
            let vector = try #require(first.first)
            #expect(abs(cosine(vector, vector) - 1) < 1e-9)
        }
    }

    @Test func textsSharingWordsAreMoreSimilar() throws {
        try withServer { _, port in
            let v = vectors(try embed(port, [
                "the café opens at eight on weekdays",
                "when does the café open on weekdays",
                "quantum chromodynamics lattice simulation",
            ]))
            #expect(cosine(v[0], v[1]) > cosine(v[0], v[2]) + 0.2)
        }
    }

    @Test func textWithoutWordsIsTheZeroVector() throws {
        try withServer { _, port throws in
            #expect(try vectors(embed(port, "  ?! ")) == [Array(repeating: 0, count: 64)])
        }
    }

    @Test func base64EncodingCarriesTheSameFloats() throws {
        try withServer { _, port in
            let floats = vectors(try embed(port, "the café opens"))[0]
            let response = try embed(port, "the café opens", format: "base64")
            let text = try #require(response.json?["data"]?[0]?["embedding"]?.string)
            let bytes = try #require(Base64.decode(text))
            #expect(bytes.count == 64 * 4)
            let decoded = (0..<64).map { index in
                Double(Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[index * 4 + $1]) << (8 * $1) }))
            }
            #expect(zip(decoded, floats).allSatisfy { abs($0 - $1) < 1e-6 })
        }
    }

    @Test(arguments: [[1, 2, 3], [], 42, ["ok", 1]] as [JSONValue])
    func inputThatIsNotTextIs400(input: JSONValue) throws {
        try withServer { _, port in
            let response = try embed(port, input)
            #expect(response.status == 400)
            #expect(response.json?["error"]?["param"] == "input")
        }
    }

    @Test func unknownModelIs404() throws {
        try withServer { _, port throws in
            let body = Array(#"{"model":"nope","input":"x"}"#.utf8)
            #expect(try request(port, "POST", "/v1/embeddings", body: body).status == 404)
        }
    }
}
