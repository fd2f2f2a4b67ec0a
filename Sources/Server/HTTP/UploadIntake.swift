// The files of one upload as lws' form parser hands them over, on the service thread: each goes to the admin pages'
// `receiveFile` as it opens, its bytes as they come; a file refused or too large is dropped and its reason kept.
// Nothing is put in place before the whole form has arrived and its token is checked (`finish`); an upload cut off
// or cancelled is dropped with this object, leaving nothing behind.
internal import Contracts

/// One upload's files.
final class UploadIntake {
    let person: Person
    let pages: any AdminPages
    private var current: (any ReceivedFile)?
    private var received: [any ReceivedFile] = []
    /// The files not taken, and why.
    private(set) var refused: [FileRefusal] = []

    init(person: Person, pages: any AdminPages) {
        self.person = person
        self.pages = pages
    }

    deinit { discard() }

    /// A file begins.
    func open(_ fileName: String) {
        current?.discard()
        current = nil
        // A file input left empty is sent as a part with no file name.
        guard !fileName.isEmpty else { return }
        switch pages.receiveFile(named: fileName, by: person) {
        case .success(let file): current = file
        case .failure(let refusal): refused.append(refusal)
        }
    }

    /// More of the current file; `last`: its end.
    func take(_ bytes: UnsafeRawBufferPointer, last: Bool) {
        guard let file = current else { return }
        if !bytes.isEmpty, !file.write(bytes) {
            refused.append(file.writeRefusal)
            current = nil
            return
        }
        if last {
            received.append(file)
            current = nil
        }
    }

    /// Puts every whole file in place: the names they got (the ones that could not be, refused).
    func finish() -> [String] {
        var names: [String] = []
        for file in received {
            if let name = file.finish() {
                names.append(name)
            } else {
                refused.append(FileRefusal(fileName: file.name, reason: "it could not be saved in the documents folder"))
            }
        }
        received = []
        return names
    }

    /// Drops everything received.
    func discard() {
        current?.discard()
        current = nil
        for file in received { file.discard() }
        received = []
    }
}
