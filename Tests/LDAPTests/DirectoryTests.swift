import LDAP
import Testing
import TestSupport

/// Sign-ins against a real slapd (TestSupport's `TestDirectory`), in both ways of finding the person.
@Suite struct DirectoryTests {
    static let alice = TestDirectory.people[0]
    static let bob = TestDirectory.people[1]

    static func templateMode(_ slapd: TestDirectory, adminGroup: String? = TestDirectory.adminGroup) -> Directory {
        Directory(configuration: DirectoryConfiguration(
            url: slapd.url, lookup: .template("uid={name},ou=people,\(TestDirectory.suffix)"), adminGroup: adminGroup))
    }

    static func searchMode(_ slapd: TestDirectory, filter: String = "(&(objectClass=inetOrgPerson)(uid={name}))",
                           service: DirectoryConfiguration.ServiceAccount? = .init(
                               dn: TestDirectory.serviceDN, password: Array(TestDirectory.servicePassword.utf8)))
        -> Directory
    {
        Directory(configuration: DirectoryConfiguration(
            url: slapd.url, lookup: .search(base: TestDirectory.suffix, filter: filter), serviceAccount: service,
            adminGroup: TestDirectory.adminGroup))
    }

    /// Each way of finding the person, with and without a service account, gives the same answers.
    @Test func theRightPasswordSignsInAndTheGroupMakesAnAdmin() throws {
        let slapd = try TestDirectory()
        for directory in [Self.templateMode(slapd), Self.searchMode(slapd), Self.searchMode(slapd, service: nil)] {
            #expect(directory.check(name: "alice", password: Array(Self.alice.password.utf8)) == .person(name: "alice", isAdmin: true))
            #expect(directory.check(name: "bob", password: Array(Self.bob.password.utf8)) == .person(name: "bob", isAdmin: false))
            // Directories compare uid without case: one person, one name.
            #expect(directory.check(name: "Alice", password: Array(Self.alice.password.utf8)) == .person(name: "alice", isAdmin: true))
            #expect(directory.check(name: " alice ", password: Array(Self.alice.password.utf8)) == .person(name: "alice", isAdmin: true))
        }
        let noGroup = Self.templateMode(slapd, adminGroup: nil)
        #expect(noGroup.check(name: "alice", password: Array(Self.alice.password.utf8)) == .person(name: "alice", isAdmin: false))
        let missingGroup = Self.templateMode(slapd, adminGroup: "cn=nobody,ou=groups,\(TestDirectory.suffix)")
        #expect(missingGroup.check(name: "alice", password: Array(Self.alice.password.utf8)) == .person(name: "alice", isAdmin: false))
    }

    @Test func aWrongPasswordAnUnknownNameAndAnAmbiguousOneAreRefused() throws {
        let slapd = try TestDirectory()
        for directory in [Self.templateMode(slapd), Self.searchMode(slapd)] {
            #expect(isRefused(directory.check(name: "alice", password: Array(Self.bob.password.utf8))))
            #expect(isRefused(directory.check(name: "alice", password: Array("alice's secreT".utf8))))
            #expect(isRefused(directory.check(name: "carol", password: Array("anything".utf8))))
        }
        // Two entries with uid=dup: the search sees both and takes neither.
        #expect(isRefused(Self.searchMode(slapd).check(name: "dup", password: Array("dup secret".utf8))))
    }

    /// An empty password would be an unauthenticated bind, which slapd answers with success: it is refused before
    /// anything is sent, so even a directory that cannot be reached says "refused", not "unreachable".
    @Test func anEmptyPasswordIsRefusedWithoutABind() throws {
        let slapd = try TestDirectory()
        #expect(isRefused(Self.templateMode(slapd).check(name: "alice", password: [])))
        #expect(isRefused(Self.searchMode(slapd).check(name: "alice", password: [])))
        let nowhere = Directory(configuration: DirectoryConfiguration(
            url: "ldap://127.0.0.1:\(try freeLoopbackPort())", lookup: .template("uid={name},dc=example,dc=org")))
        #expect(isRefused(nowhere.check(name: "alice", password: [])))
        #expect(isUnreachable(nowhere.check(name: "alice", password: Array("x".utf8))))
    }

    /// Names that would widen the search or add a DN component unescaped find nobody, with Alice's password.
    @Test(arguments: ["*", "al*", "alice)(uid=*", "*)(|(uid=*", "alice,ou=people", "uid=alice", "alice\u{0}", "alice\\"])
    func aHostileNameFindsNobody(name: String) throws {
        let slapd = try TestDirectory()
        for directory in [Self.templateMode(slapd), Self.searchMode(slapd), Self.searchMode(slapd, service: nil)] {
            #expect(isRefused(directory.check(name: name, password: Array(Self.alice.password.utf8))), "\(name)")
        }
    }

    @Test func aWrongServicePasswordIsTheDirectorysProblemNotThePersons() throws {
        let slapd = try TestDirectory()
        let directory = Self.searchMode(slapd, service: .init(dn: TestDirectory.serviceDN, password: Array("wrong".utf8)))
        #expect(isUnreachable(directory.check(name: "alice", password: Array(Self.alice.password.utf8))))
    }

    /// Nothing listening, and a listener that never answers: "unreachable", within the timeout.
    @Test func aDirectoryThatIsDownOrSilentIsUnreachable() throws {
        let closed = Directory(configuration: DirectoryConfiguration(
            url: "ldap://127.0.0.1:\(try freeLoopbackPort())", lookup: .template("uid={name},dc=example,dc=org"),
            timeout: .milliseconds(500)))
        #expect(isUnreachable(closed.check(name: "alice", password: Array("secret".utf8))))
        let silent = try SilentListener()
        let hanging = Directory(configuration: DirectoryConfiguration(
            url: "ldap://127.0.0.1:\(silent.port)", lookup: .template("uid={name},dc=example,dc=org"),
            timeout: .milliseconds(500)))
        let clock = ContinuousClock()
        let started = clock.now
        #expect(isUnreachable(hanging.check(name: "alice", password: Array("secret".utf8))))
        // Not a speed test: a check that ignored its timeout would wait for ever here.
        #expect(clock.now - started < .seconds(30))
    }

    /// StartTLS and ldaps:// with the CA that signed slapd's certificate; without it the certificate is not trusted,
    /// and nothing is sent in the clear instead.
    @Test func tlsChecksTheDirectorysCertificate() throws {
        let slapd = try TestDirectory(tls: true)
        let template = DirectoryConfiguration.UserLookup.template("uid={name},ou=people,\(TestDirectory.suffix)")
        let password = Array(Self.alice.password.utf8)
        let startTLS = DirectoryConfiguration(url: slapd.url, startTLS: true, caFile: slapd.caFile, lookup: template,
                                              adminGroup: TestDirectory.adminGroup)
        #expect(Directory(configuration: startTLS).check(name: "alice", password: password) == .person(name: "alice", isAdmin: true))
        let ldaps = DirectoryConfiguration(url: try #require(slapd.tlsURL), caFile: slapd.caFile, lookup: template)
        #expect(Directory(configuration: ldaps).check(name: "alice", password: password) == .person(name: "alice", isAdmin: false))
        var untrusted = startTLS
        untrusted.caFile = nil
        #expect(isUnreachable(Directory(configuration: untrusted).check(name: "alice", password: password)))
        var untrustedLDAPS = ldaps
        untrustedLDAPS.caFile = nil
        #expect(isUnreachable(Directory(configuration: untrustedLDAPS).check(name: "alice", password: password)))
    }

    /// Sign-ins on several threads at once, each on its own handle, with and without TLS: each gets its own answer.
    @Test func signInsAtOnceEachGetTheirOwnAnswer() async throws {
        let slapd = try TestDirectory(tls: true)
        let template = DirectoryConfiguration.UserLookup.template("uid={name},ou=people,\(TestDirectory.suffix)")
        let plain = Directory(configuration: DirectoryConfiguration(url: slapd.url, lookup: template,
                                                                    adminGroup: TestDirectory.adminGroup))
        let tls = Directory(configuration: DirectoryConfiguration(url: slapd.url, startTLS: true, caFile: slapd.caFile,
                                                                  lookup: template, adminGroup: TestDirectory.adminGroup))
        let answers = await withTaskGroup(of: (Int, DirectoryAnswer).self) { group in
            for index in 0..<16 {
                let person = TestDirectory.people[index % 2]
                let directory = index % 4 < 2 ? plain : tls
                let password = index % 3 == 0 ? "wrong" : person.password
                group.addTask { (index, directory.check(name: person.uid, password: Array(password.utf8))) }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for (index, answer) in answers {
            let person = TestDirectory.people[index % 2]
            if index % 3 == 0 {
                #expect(isRefused(answer), "\(index)")
            } else {
                #expect(answer == .person(name: person.uid, isAdmin: person.isAdmin), "\(index)")
            }
        }
        #expect(answers.count == 16)
    }

    func isRefused(_ answer: DirectoryAnswer) -> Bool {
        if case .refused = answer { return true }
        return false
    }

    func isUnreachable(_ answer: DirectoryAnswer) -> Bool {
        if case .unreachable = answer { return true }
        return false
    }
}
