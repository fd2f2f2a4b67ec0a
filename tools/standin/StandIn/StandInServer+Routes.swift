// Routing a request: authorization, the fault it asks for, then the endpoint.
import JSON

extension StandInServer {
    /// Answers `request`; returns how the connection should end.
    func respond(to request: RecordedRequest, on connection: Connection) -> Ending {
        do throws(APIError) {
            try authorize(request)
            switch (request.method, request.path) {
            case ("GET", "/v1/models"):
                _ = try fault(for: request)
                connection.sendJSON(200, modelList)
                return .graceful
            case ("POST", "/v1/chat/completions"): return try chatCompletion(request, on: connection)
            case ("POST", "/v1/embeddings"): return try embeddings(request, on: connection)
            default: throw APIError.invalidURL(request)
            }
        } catch {
            connection.send(error)
            return .graceful
        }
    }

    private func authorize(_ request: RecordedRequest) throws(APIError) {
        guard let key = configuration.apiKey else { return }
        guard let value = request.header("Authorization") else { throw .invalidAPIKey(provided: false) }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", trimmed(parts[1]) == key else {
            throw .invalidAPIKey(provided: true)
        }
    }

    /// The fault `request` asks for: the `X-Standin-Fault` header, else `[standin:<spec>]` in `messageText`.
    /// Throws the injected error when the spec has `status=` (and, with `times=n`, only for its first n uses).
    func fault(for request: RecordedRequest, messageText: String? = nil) throws(APIError) -> FaultSpec {
        guard let text = request.header("X-Standin-Fault") ?? messageText.flatMap(Self.marker) else {
            return FaultSpec()
        }
        let spec: FaultSpec
        do { spec = try FaultSpec.parse(text) } catch { throw .badRequest(error.message) }
        if let status = spec.status {
            let uses = countFaultUse(spec.text)
            if uses <= spec.times ?? Int.max { throw .injected(status: status, retryAfter: spec.retryAfter) }
        }
        return spec
    }

    /// The text between `[standin:` and the next `]`.
    static func marker(in text: String) -> String? {
        guard let start = text.firstRange(of: "[standin:"),
              let end = text[start.upperBound...].firstIndex(of: "]")
        else { return nil }
        return String(text[start.upperBound..<end])
    }

    /// The request body as a JSON object, or OpenAI's 400 for one that is not.
    func jsonObject(_ request: RecordedRequest) throws(APIError) -> JSONValue {
        guard let json = request.json, json.object != nil else {
            throw .badRequest("We could not parse the JSON body of your request. (HINT: This likely means you "
                + "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)")
        }
        return json
    }

    /// The request's `model`, which must be one the server serves.
    func model(of body: JSONValue) throws(APIError) -> String {
        guard let model = body["model"]?.string else {
            throw .badRequest("you must provide a model parameter", param: "model", code: "missing_required_parameter")
        }
        guard configuration.models.isEmpty || configuration.models.contains(model) else {
            throw .modelNotFound(model)
        }
        return model
    }

    /// `{"object":"list","data":[{"id":…,"object":"model","created":…,"owned_by":…}]}`.
    private var modelList: JSONValue {
        ["object": "list", "data": .array(configuration.models.map { name in
            ["id": .string(name), "object": "model", "created": 1_700_000_000, "owned_by": "quarry-standin"]
        })]
    }
}
