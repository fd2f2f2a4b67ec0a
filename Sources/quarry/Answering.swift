// What answers questions, for `serve` and `ask`: retrieval (with embeddings when configured) and the answerer (a
// model when configured, else the passages themselves). One curl thread serves both, started only when needed.
import Curl
import LLM
import Logging
import Retrieval
import Store

/// The retriever, the answerer and the embedder a configuration asks for.
struct Answering {
    let retriever: Retriever
    let answerer: any Answerer
    let embedder: EndpointEmbedder?
    /// The model's ceiling on requests a minute, when there is a model and a ceiling.
    let ceiling: RequestCeiling?

    /// Exits (status 1) if the HTTP client cannot start; logs what will answer.
    init(_ settings: ChatSettings, store: any KnowledgeStorage, logger: Logger) {
        var multi: CurlMulti?
        func client(_ configuration: LLMConfiguration) -> LLMClient {
            do {
                if multi == nil { multi = try CurlMulti() }
                return LLMClient(configuration: configuration, multi: multi!)
            } catch {
                fail("Quarry could not start: the HTTP client failed (\(error)).", code: 1)
            }
        }
        embedder = settings.embeddings.map { EndpointEmbedder(client: client($0)) }
        retriever = Retriever(store: store, embedder: embedder)
        if let model = settings.model {
            let modelClient = client(model)
            ceiling = modelClient.ceiling
            answerer = ModelAnswerer(client: modelClient)
            logger.info("answers by a language model", metadata: ["model": "\(model.model)", "endpoint": "\(model.loggableBaseURL)"])
        } else {
            ceiling = nil
            answerer = ExtractiveAnswerer()
            logger.notice("no language model configured: answers quote the documents (set QUARRY_LLM_BASE_URL or OPENAI_API_KEY)")
        }
        if let embedder { logger.info("embeddings", metadata: ["model": "\(embedder.model)"]) }
    }
}
