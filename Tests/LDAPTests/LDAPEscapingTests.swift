import LDAP
import Testing

@Suite struct LDAPEscapingTests {
    // RFC 4515 section 4's examples, and names that would widen or end a filter unescaped.
    @Test(arguments: [
        ("alice", "alice"),
        ("*", "\\2a"),
        ("*)(uid=*", "\\2a\\29\\28uid=\\2a"),
        ("Parens R Us (for all your parenthetical needs)", "Parens R Us \\28for all your parenthetical needs\\29"),
        ("C:\\MyFile", "C:\\5cMyFile"),
        ("a\u{0}b", "a\\00b"),
        ("Lučić", "Lučić"),
    ])
    func filterValue(name: String, escaped: String) {
        #expect(LDAPEscaping.filterValue(name) == escaped)
    }

    // RFC 4514 section 2.4: the specials anywhere, a space or # at the start, a space at the end.
    @Test(arguments: [
        ("alice", "alice"),
        ("Sue, Grabbit and Runn", "Sue\\, Grabbit and Runn"),
        ("a+b=c", "a\\+b\\=c"),
        ("x,ou=admins", "x\\,ou\\=admins"),
        ("\"<quoted>\";", "\\\"\\<quoted\\>\\\"\\;"),
        (" lead", "\\20lead"),
        ("trail ", "trail\\20"),
        ("#hash#", "\\23hash#"),
        ("back\\slash", "back\\\\slash"),
        ("Lučić", "Lučić"),
    ])
    func dnValue(name: String, escaped: String) {
        #expect(LDAPEscaping.dnValue(name) == escaped)
    }
}
