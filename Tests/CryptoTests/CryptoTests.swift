import Crypto
import Testing

@Suite struct HMACSHA256Tests {
    // RFC 4231 test case 2.
    @Test func rfc4231Case2() {
        let code = HMACSHA256.authenticate(Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8))
        #expect(ByteEncoding.hex(code) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func verifyRejectsATamperedCode() {
        let key = Array("k".utf8), message = Array("thread/1".utf8)
        var code = HMACSHA256.authenticate(message, key: key)
        #expect(HMACSHA256.verify(code, for: message, key: key))
        code[0] ^= 1
        #expect(!HMACSHA256.verify(code, for: message, key: key))
        #expect(!HMACSHA256.verify(code.prefix(31), for: message, key: key))
    }
}

@Suite struct DigestAndRandomTests {
    @Test func sha256OfABC() {
        #expect(ByteEncoding.hex(SHA256.hash(Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func randomBytesDiffer() throws {
        let a = try SecureRandom.bytes(32), b = try SecureRandom.bytes(32)
        #expect(a.count == 32 && a != b)
    }
}

@Suite struct ByteEncodingTests {
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"), ("\u{FB}\u{FF}", "w7vDvw"),
    ])
    func base64URLRoundTrip(plain: String, encoded: String) {
        #expect(ByteEncoding.base64URL(Array(plain.utf8)) == encoded)
        #expect(ByteEncoding.bytes(base64URL: encoded) == Array(plain.utf8))
    }

    @Test(arguments: ["Zg==", "Z", "Zh", "a+b/", "Zm9v\n"])
    func base64URLRejects(text: String) {
        #expect(ByteEncoding.bytes(base64URL: text) == nil)
    }

    // RFC 4648 §10's vectors without padding, and bytes whose base64 uses the two characters the alphabets differ in.
    @Test(arguments: [
        ([UInt8](), ""), (Array("f".utf8), "Zg"), (Array("foobar".utf8), "Zm9vYmFy"), ([0xfb, 0xff], "+/8"),
        ([0xfb, 0xef, 0xbe], "++++"), ([0xff, 0xff, 0xff], "////"),
    ])
    func base64RoundTrip(bytes: [UInt8], encoded: String) {
        #expect(ByteEncoding.base64(bytes) == encoded)
        #expect(ByteEncoding.bytes(base64: encoded) == bytes)
    }

    @Test(arguments: ["Zg==", "Z", "Zh", "-_8", "Zm9v\n"])
    func base64Rejects(text: String) {
        #expect(ByteEncoding.bytes(base64: text) == nil)
    }

    @Test func hexRoundTrip() {
        #expect(ByteEncoding.hex([0, 0xab, 0xff]) == "00abff")
        #expect(ByteEncoding.bytes(hex: "00ABff") == [0, 0xab, 0xff])
        #expect(ByteEncoding.bytes(hex: "0g") == nil)
        #expect(ByteEncoding.bytes(hex: "abc") == nil)
    }
}
