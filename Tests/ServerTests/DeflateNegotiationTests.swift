import Testing
@testable import Server

/// What the server agrees to for each permessage-deflate offer (RFC 7692 §7.1), without a socket.
struct DeflateNegotiationTests {
    @Test(arguments: [
        ("permessage-deflate", DeflateOffer.parsed()),
        ("permessage-deflate; client_max_window_bits", .parsed(clientMaxWindowBits: .some(nil))),
        ("permessage-deflate; client_max_window_bits=12", .parsed(clientMaxWindowBits: 12)),
        ("permessage-deflate; client_max_window_bits=\"9\"", .parsed(clientMaxWindowBits: 9)),
        ("x-webkit-deflate-frame, permessage-deflate ;server_max_window_bits=11",
         .parsed(serverMaxWindowBits: 11)),
        ("permessage-deflate; server_no_context_takeover; client_no_context_takeover",
         .parsed(serverNoContextTakeover: true, clientNoContextTakeover: true)),
        // The first offer counts; lws, too, reads only the first.
        ("permessage-deflate; client_max_window_bits=10, permessage-deflate", .parsed(clientMaxWindowBits: 10)),
    ] as [(String, DeflateOffer)])
    func anOfferIsRead(header: String, expected: DeflateOffer) {
        #expect(DeflateOffer(header: header) == expected)
    }

    @Test(arguments: [
        "", "x-webkit-deflate-frame", "permessage-deflate-x",
        "permessage-deflate; mystery",  // a parameter RFC 7692 does not define
        "permessage-deflate; server_max_window_bits",  // needs a value
        "permessage-deflate; server_max_window_bits=16", "permessage-deflate; client_max_window_bits=7",
        "permessage-deflate; client_max_window_bits=ten", "permessage-deflate; client_max_window_bits=+9",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; client_max_window_bits; client_max_window_bits=10",  // repeated
    ])
    func anInvalidOfferOrNoneIsDeclined(header: String) {
        #expect(DeflateOffer(header: header) == nil)
    }

    /// The parameters of the response (nil: declined), for Quarry's settings unless a case says otherwise.
    @Test(arguments: [
        // Chromium and most clients: both windows capped at 10 bits; the client keeps its inflater's context (the
        // server primes each message with what it sent before) but not its compressor's.
        ("permessage-deflate; client_max_window_bits",
         "client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10"),
        // Firefox: the client's window cannot be capped, so both windows stay at 15 bits.
        ("permessage-deflate", "client_no_context_takeover"),
        ("permessage-deflate; server_max_window_bits=15", "client_no_context_takeover; server_max_window_bits=15"),
        ("permessage-deflate; server_max_window_bits=12", nil),
        // A client that asks for less than 10 bits gets it, down to 9 (zlib cannot compress with 8).
        ("permessage-deflate; server_max_window_bits=12; client_max_window_bits=9",
         "client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9"),
        ("permessage-deflate; server_max_window_bits=9; client_max_window_bits",
         "client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=9"),
        // A client that forgets between messages is written messages that stand alone.
        ("permessage-deflate; server_no_context_takeover; client_max_window_bits",
         "server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10"),
        ("permessage-deflate; server_max_window_bits=8; client_max_window_bits", nil),
    ] as [(String, String?)])
    func theAgreementAnswersTheOffer(header: String, expected: String?) throws {
        let offer = try #require(DeflateOffer(header: header))
        let agreement = DeflateAgreement(offer: offer, settings: .standard)
        #expect(agreement?.parameters.joined(separator: "; ") == expected)
    }

    @Test func libwebsocketsDefaultsAnswerAsLibwebsocketsDoes() throws {
        let agreement = try #require(DeflateAgreement(offer: .parsed(clientMaxWindowBits: .some(nil)),
                                                      settings: .libwebsocketsDefaults))
        #expect(agreement.parameters == [])
        #expect(agreement.windowBits == 15)
        // What the client asked for is still granted.
        let asked = try #require(DeflateAgreement(offer: .parsed(serverNoContextTakeover: true),
                                                  settings: .libwebsocketsDefaults))
        #expect(asked.parameters == ["server_no_context_takeover"])
    }

    @Test(arguments: [
        ("permessage-deflate", "; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10"),
        ("permessage-deflate; client_no_context_takeover", "; server_max_window_bits=10; client_max_window_bits=10"),
    ])
    func theCompletionAddsOnlyWhatLibwebsocketsDidNotWrite(written: String, completion: String) throws {
        let agreement = try #require(DeflateAgreement(offer: .parsed(clientMaxWindowBits: .some(nil)), settings: .standard))
        #expect(agreement.completion(of: written) == completion)
    }

    @Test func libwebsocketsIsToldCrosswise() throws {
        let agreement = try #require(DeflateAgreement(offer: .parsed(clientMaxWindowBits: .some(nil)), settings: .standard))
        let options = Dictionary(uniqueKeysWithValues: agreement.libwebsocketsOptions(.standard).map { ($0.name, $0.value) })
        #expect(options == [
            "server_max_window_bits": 10,
            // As a server, lws frees its compressor on this one (unused: primed, the server writes its frames) and
            // its inflater on the other.
            "client_no_context_takeover": 1, "server_no_context_takeover": 1,
            "mem_level": 2, "compression_level": 6, "tx_buf_size": 8, "rx_buf_size": 7,
        ])
    }
}

extension DeflateOffer {
    static func parsed(serverNoContextTakeover: Bool = false, clientNoContextTakeover: Bool = false,
                       serverMaxWindowBits: Int? = nil, clientMaxWindowBits: Int?? = nil) -> DeflateOffer {
        var offer = DeflateOffer(header: "permessage-deflate")!
        offer.serverNoContextTakeover = serverNoContextTakeover
        offer.clientNoContextTakeover = clientNoContextTakeover
        offer.serverMaxWindowBits = serverMaxWindowBits
        offer.clientMaxWindowBits = clientMaxWindowBits
        return offer
    }
}
