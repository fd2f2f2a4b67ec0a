// The admin pages of `quarry serve`: the store, the documents folder, and the model's settings with the doctor's
// checks behind the Test button.
import Admin
import Curl
import LLM
import Locking
import Logging
import Server
import Store

/// The admin pages for `settings`.
func adminRoom(_ settings: ServeSettings, store: any AdminStorage) -> AdminRoom {
    let model = settings.answering.model, embeddings = settings.answering.embeddings
    var shown: [(label: String, value: String)] = []
    if let model {
        shown.append(("Model", model.model))
        shown.append(("Endpoint", model.loggableBaseURL))
    } else {
        shown.append(("Model", "none: answers quote the documents' passages (set QUARRY_LLM_BASE_URL and QUARRY_LLM_MODEL)"))
    }
    if let embeddings { shown.append(("Embeddings", "\(embeddings.embeddingsModel) at \(embeddings.loggableBaseURL)")) }
    return AdminRoom(store: store, folder: settings.documents?.path, managesAccounts: settings.server.access.mode != .proxy,
                     modelSettings: shown, testModel: {
                         // Called on a thread of the server's own, which may block until the checks end.
                         let findings = Locked<[Finding]>([])
                         waitFor {
                             guard let multi = try? CurlMulti() else {
                                 findings.withLock {
                                     $0 = [Finding(verdict: .problem, subject: "HTTP client", detail: "libcurl could not start")]
                                 }
                                 return
                             }
                             var found = [await Doctor.model(model, multi: multi)]
                             if let embeddings { found.append(await Doctor.embeddings(embeddings, multi: multi)) }
                             let checked = found
                             findings.withLock { $0 = checked }
                         }
                         return findings.withLock { $0 }.map { (passed: $0.verdict != .problem, text: $0.text) }
                     }, logger: Logger(label: "quarry.admin"))
}
