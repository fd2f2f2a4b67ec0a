import LDAP
import Testing

@Suite struct DirectoryConfigurationTests {
    static let template = ["QUARRY_LDAP_URL": "ldap://127.0.0.1:389",
                           "QUARRY_LDAP_USER_DN": "uid={name},ou=people,dc=example,dc=org"]

    @Test func aTemplateBindsAtOnce() throws {
        let configuration = try DirectoryConfiguration.fromEnvironment(Self.template)
        #expect(configuration.lookup == .template("uid={name},ou=people,dc=example,dc=org"))
        #expect(configuration.serviceAccount == nil && configuration.adminGroup == nil && !configuration.startTLS)
        #expect(configuration.timeout == .seconds(5))
    }

    @Test func aBaseSearchesWithTheDefaultFilterOrTheOneGiven() throws {
        let base = ["QUARRY_LDAP_URL": "ldaps://dc1.example.org ldaps://dc2.example.org", "QUARRY_LDAP_BASE": "dc=example,dc=org"]
        #expect(try DirectoryConfiguration.fromEnvironment(base).lookup == .search(base: "dc=example,dc=org", filter: "(uid={name})"))
        let ad = try DirectoryConfiguration.fromEnvironment(base.merging([
            "QUARRY_LDAP_USER_FILTER": "(sAMAccountName={name})", "QUARRY_LDAP_BIND_DN": "CN=quarry,OU=Services,DC=example,DC=org",
            "QUARRY_LDAP_BIND_PASSWORD": "s3cret", "QUARRY_LDAP_ADMIN_GROUP": "CN=Quarry Admins,OU=Groups,DC=example,DC=org",
            "QUARRY_LDAP_TIMEOUT": "2.5",
        ]) { $1 })
        #expect(ad.lookup == .search(base: "dc=example,dc=org", filter: "(sAMAccountName={name})"))
        #expect(ad.serviceAccount == .init(dn: "CN=quarry,OU=Services,DC=example,DC=org", password: Array("s3cret".utf8)))
        #expect(ad.adminGroup == "CN=Quarry Admins,OU=Groups,DC=example,DC=org")
        #expect(ad.timeout == .milliseconds(2500))
        #expect(!ad.sendsPasswordsInClear)
    }

    // Each mistake, and the start of the one line that says so.
    @Test(arguments: [
        ([:], "--auth ldap needs QUARRY_LDAP_URL"),
        (["QUARRY_LDAP_URL": "http://ldap.example.org", "QUARRY_LDAP_BASE": "dc=x"], "QUARRY_LDAP_URL takes ldap://"),
        (["QUARRY_LDAP_URL": "ldap://x"], "--auth ldap needs QUARRY_LDAP_USER_DN"),
        (["QUARRY_LDAP_URL": "ldap://x", "QUARRY_LDAP_BASE": "dc=x", "QUARRY_LDAP_USER_DN": "uid={name},dc=x"], "Set QUARRY_LDAP_USER_DN"),
        (["QUARRY_LDAP_URL": "ldap://x", "QUARRY_LDAP_USER_DN": "uid=alice,dc=x"], "QUARRY_LDAP_USER_DN must hold {name}"),
        (["QUARRY_LDAP_URL": "ldap://x", "QUARRY_LDAP_USER_DN": "uid={name},dc=x", "QUARRY_LDAP_USER_FILTER": "(uid={name})"],
         "QUARRY_LDAP_USER_FILTER is for a search"),
        (["QUARRY_LDAP_URL": "ldap://x", "QUARRY_LDAP_BASE": "dc=x", "QUARRY_LDAP_USER_FILTER": "uid={name}"],
         "QUARRY_LDAP_USER_FILTER must be a filter"),
        (["QUARRY_LDAP_URL": "ldaps://x", "QUARRY_LDAP_BASE": "dc=x", "QUARRY_LDAP_STARTTLS": "yes"], "QUARRY_LDAP_STARTTLS is for ldap://"),
        (["QUARRY_LDAP_URL": "ldap://x", "QUARRY_LDAP_BASE": "dc=x", "QUARRY_LDAP_STARTTLS": "maybe"], "QUARRY_LDAP_STARTTLS must be yes or no"),
        (["QUARRY_LDAP_URL": "ldap://x", "QUARRY_LDAP_BASE": "dc=x", "QUARRY_LDAP_BIND_DN": "cn=q,dc=x"], "QUARRY_LDAP_BIND_DN needs its password"),
        (["QUARRY_LDAP_URL": "ldap://x", "QUARRY_LDAP_BASE": "dc=x", "QUARRY_LDAP_BIND_PASSWORD": "p"], "QUARRY_LDAP_BIND_PASSWORD is the service"),
        (["QUARRY_LDAP_URL": "ldap://x", "QUARRY_LDAP_BASE": "dc=x", "QUARRY_LDAP_BIND_DN": "cn=q,dc=x",
          "QUARRY_LDAP_BIND_PASSWORD": "p", "QUARRY_LDAP_BIND_PASSWORD_FILE": "/etc/hostname"], "Set QUARRY_LDAP_BIND_PASSWORD or"),
        (["QUARRY_LDAP_URL": "ldap://x", "QUARRY_LDAP_BASE": "dc=x", "QUARRY_LDAP_BIND_DN": "cn=q,dc=x",
          "QUARRY_LDAP_BIND_PASSWORD_FILE": "/nonexistent/secret"], "QUARRY_LDAP_BIND_PASSWORD_FILE “/nonexistent/secret” cannot"),
        (["QUARRY_LDAP_URL": "ldap://x", "QUARRY_LDAP_BASE": "dc=x", "QUARRY_LDAP_TIMEOUT": "0"], "QUARRY_LDAP_TIMEOUT must be"),
    ])
    func mistakes(environment: [String: String], sentence: String) {
        #expect {
            try DirectoryConfiguration.fromEnvironment(environment)
        } throws: { error in
            guard let error = error as? DirectoryConfigurationError else { return false }
            return error.description.hasPrefix(sentence) && !error.description.contains("\n")
        }
    }

    @Test func aPlainAddressToAnotherMachineSendsPasswordsInClear() throws {
        let remote = try DirectoryConfiguration.fromEnvironment(["QUARRY_LDAP_URL": "ldap://ldap.example.org",
                                                                 "QUARRY_LDAP_BASE": "dc=x"])
        #expect(remote.sendsPasswordsInClear)
        var upgraded = remote
        upgraded.startTLS = true
        #expect(!upgraded.sendsPasswordsInClear)
        #expect(try !DirectoryConfiguration.fromEnvironment(Self.template).sendsPasswordsInClear)
    }
}
