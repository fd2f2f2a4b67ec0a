import Testing
import Words

@Suite struct AcceptLanguageTests {
    /// `Accept-Language` headers and the language each page is in.
    @Test(arguments: [
        (nil, "en"),
        ("", "en"),
        ("de", "de"),
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("de-CH", "de"),
        ("DE-at", "de"),
        ("fr-CA, en;q=0.5", "fr"),
        ("es_ES", "es"),
        ("en-US,en;q=0.9", "en"),
        ("it, nl;q=0.9", "en"),                       // none of ours: English
        ("it, de;q=0.3", "de"),                       // ours only further down
        ("en;q=0.5, de;q=0.8", "de"),                 // the highest q wins, not the first
        ("fr;q=0.8, de;q=0.8", "fr"),                 // a tie: the order given
        ("de;q=0, fr", "fr"),                         // q=0: not acceptable
        ("*", "en"),
        ("*;q=1, es;q=0.1", "es"),
        ("de;q=1.5, fr;q=0.2", "fr"),                 // a malformed q counts as 0
        ("de;q=abc", "en"),
        ("de ; q = 0.7", "de"),
        ("  es  ", "es"),
        (",,,;;;q=,de", "de"),
        ("x-klingon, i-default", "en"),
        ("deutsch", "en"),                            // not a primary subtag of ours
        ("\u{0}de", "en"),
    ] as [(String?, String)])
    func choosesTheBrowsersLanguage(header: String?, expected: String) {
        #expect(Language.preferred(by: header).code == expected)
    }

    @Test func hostileHeadersAreReadOnlyAsFarAsTheBounds() {
        // A language past the first 32 ranges, or past the first kilobyte, is not looked at.
        let many = Array(repeating: "xx", count: Language.maxAcceptLanguageRanges).joined(separator: ",") + ",de"
        #expect(Language.preferred(by: many) == .english)
        let long = String(repeating: " ", count: Language.maxAcceptLanguageBytes) + "de"
        #expect(Language.preferred(by: long) == .english)
        let huge = String(repeating: "de-CH;q=0.5,", count: 100_000)
        #expect(Language.preferred(by: huge).code == "de")
    }

    @Test func languagesAreNamedByTheirWordsFiles() {
        #expect(Language("DE")?.code == "de")
        #expect(Language("xx") == nil)
        #expect(Language.all.first == .english)
        #expect(Set(Language.all.map(\.code)).isSuperset(of: ["en", "de", "fr", "es"]))
    }
}
