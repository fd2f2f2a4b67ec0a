// A real OpenLDAP server for the tests of `--auth ldap`: Debian's slapd, started as a plain child process on a free
// loopback port with its own slapd.conf and mdb database in a temporary folder (never the system's slapd or its
// configuration), loaded with `TestDirectory.people` and an admin group, and stopped when the value is released.
// tools/test installs slapd and ldap-utils (tools/lib/common.sh). Tests/e2e/ldap_support.py is the same directory
// for the browser tests.
#if canImport(Glibc)
internal import Glibc
#endif

/// A slapd of our own on 127.0.0.1, holding a few people.
public final class TestDirectory {
    /// Someone in the directory: `uid`, password, and whether the admin group lists them.
    public struct Entry: Sendable {
        public let uid: String
        public let password: String
        public let isAdmin: Bool
        /// The organizational unit the entry is in.
        public let unit: String

        public var dn: String { "uid=\(uid),ou=\(unit),\(TestDirectory.suffix)" }
    }

    public static let suffix = "dc=example,dc=org"
    /// The people: Alice (an admin), Bob (not), and two entries with uid `dup` in different units.
    public static let people = [
        Entry(uid: "alice", password: "alice's secret", isAdmin: true, unit: "people"),
        Entry(uid: "bob", password: "bob's secret", isAdmin: false, unit: "people"),
        Entry(uid: "dup", password: "dup secret", isAdmin: false, unit: "people"),
        Entry(uid: "dup", password: "dup secret", isAdmin: false, unit: "staff"),
    ]
    /// The service account that may search (anonymous binds may too: the ACL lets everyone read but passwords).
    public static let serviceDN = "cn=quarry,\(suffix)"
    public static let servicePassword = "service secret"
    /// The groupOfNames whose members are admins.
    public static let adminGroup = "cn=admins,ou=groups,\(suffix)"

    public let port: Int
    public var url: String { "ldap://127.0.0.1:\(port)" }
    /// With TLS: the ldaps:// port, and the certificate of the CA that signed the server's (for 127.0.0.1).
    public let tlsPort: Int?
    public var tlsURL: String? { tlsPort.map { "ldaps://127.0.0.1:\($0)" } }
    public var caFile: String { "\(folder)/ca.pem" }
    private let folder: String
    private let pid: pid_t

    /// Writes the configuration and the people, loads them with `slapadd`, starts `slapd -d 0` (in the foreground,
    /// as our child) and waits until `ldapsearch` gets an answer. With `tls`, a CA and a server certificate are made
    /// with `openssl`, and slapd offers StartTLS and listens for ldaps:// too.
    public init(tls: Bool = false) throws {
        var template = Array("/tmp/quarry-slapd-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestDirectoryError("mkdtemp failed")
        }
        folder = String(cString: made)
        port = try freeLoopbackPort()
        tlsPort = tls ? try freeLoopbackPort() : nil
        if tls { try Self.makeCertificates(folder: folder) }
        try writeFile("\(folder)/slapd.conf", Array(Self.configuration(folder: folder, tls: tls).utf8))
        var ldif = Self.tree
        for person in Self.people {
            ldif += """
                dn: \(person.dn)
                objectClass: inetOrgPerson
                uid: \(person.uid)
                cn: \(person.uid)
                sn: \(person.uid)
                userPassword: \(try Self.hash(person.password, folder: folder))


                """
        }
        ldif += "dn: \(Self.adminGroup)\nobjectClass: groupOfNames\ncn: admins\n"
        for person in Self.people where person.isAdmin { ldif += "member: \(person.dn)\n" }
        try writeFile("\(folder)/data.ldif", Array(ldif.utf8))
        guard try run(["/usr/sbin/slapadd", "-q", "-f", "\(folder)/slapd.conf", "-l", "\(folder)/data.ldif"],
                      output: "\(folder)/slapadd.out") == 0
        else { throw TestDirectoryError("slapadd failed: \(String(decoding: readFile("\(folder)/slapadd.out"), as: UTF8.self))") }
        let addresses = ["ldap://127.0.0.1:\(port)/"] + (tlsPort.map { ["ldaps://127.0.0.1:\($0)/"] } ?? [])
        pid = try spawn(["/usr/sbin/slapd", "-d", "0", "-f", "\(folder)/slapd.conf", "-h", addresses.joined(separator: " ")],
                        output: "\(folder)/slapd.log")
        for _ in 0..<200 {
            if try run(["/usr/bin/ldapsearch", "-x", "-H", "ldap://127.0.0.1:\(port)", "-b", Self.suffix, "-s", "base",
                        "-LLL", "dn"], output: "\(folder)/probe.out") == 0 { return }
            usleep(50_000)
        }
        stop()
        throw TestDirectoryError("slapd did not answer on port \(port) within 10 s")
    }

    deinit { stop() }

    private func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        for name in entryNames(in: folder) { unlink("\(folder)/\(name)") }
        rmdir(folder)
    }

    /// slapd.conf: the schemas inetOrgPerson needs, the mdb backend (a module in Debian's build), a root DN for
    /// nothing but slapadd, and an ACL under which passwords are only good for binding.
    private static func configuration(folder: String, tls: Bool) -> String {
        let certificates = !tls ? "" : """
            TLSCACertificateFile \(folder)/ca.pem
            TLSCertificateFile \(folder)/server.pem
            TLSCertificateKeyFile \(folder)/server.key

            """
        return """
        include /etc/ldap/schema/core.schema
        include /etc/ldap/schema/cosine.schema
        include /etc/ldap/schema/inetorgperson.schema
        include /etc/ldap/schema/nis.schema
        modulepath /usr/lib/ldap
        moduleload back_mdb
        \(certificates)pidfile \(folder)/slapd.pid
        database mdb
        maxsize 10485760
        suffix "\(suffix)"
        rootdn "cn=root,\(suffix)"
        directory \(folder)
        access to attrs=userPassword by anonymous auth by self read by * none
        access to * by * read

        """
    }

    /// A CA (ca.pem) and a certificate it signs for 127.0.0.1 (server.pem, server.key), P-256 keys, for two days.
    private static func makeCertificates(folder: String) throws {
        let openssl = "/usr/bin/openssl", out = "\(folder)/openssl.out"
        let steps = [
            [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "\(folder)/ca.key", "-out", "\(folder)/ca.pem", "-days", "2", "-subj", "/CN=Quarry test CA"],
            [openssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "\(folder)/server.key", "-out", "\(folder)/server.csr", "-subj", "/CN=127.0.0.1"],
            [openssl, "x509", "-req", "-in", "\(folder)/server.csr", "-CA", "\(folder)/ca.pem", "-CAkey", "\(folder)/ca.key",
             "-CAcreateserial", "-out", "\(folder)/server.pem", "-days", "2", "-extfile", "\(folder)/server.ext"],
        ]
        try writeFile("\(folder)/server.ext", Array("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n".utf8))
        for step in steps where try run(step, output: out) != 0 {
            throw TestDirectoryError("openssl failed: \(String(decoding: readFile(out), as: UTF8.self))")
        }
    }

    /// The top of the tree: the organization, its units, and the service account.
    private static var tree: String {
        var ldif = "dn: \(suffix)\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n\n"
        for unit in ["people", "staff", "groups"] {
            ldif += "dn: ou=\(unit),\(suffix)\nobjectClass: organizationalUnit\nou: \(unit)\n\n"
        }
        ldif += """
            dn: \(serviceDN)
            objectClass: organizationalRole
            objectClass: simpleSecurityObject
            cn: quarry
            userPassword: \(servicePassword)


            """
        return ldif
    }

    /// `password` as `slappasswd -h {SSHA}` hashes it.
    private static func hash(_ password: String, folder: String) throws -> String {
        let out = "\(folder)/slappasswd.out"
        guard try run(["/usr/sbin/slappasswd", "-h", "{SSHA}", "-s", password], output: out) == 0 else {
            throw TestDirectoryError("slappasswd failed")
        }
        return String(decoding: readFile(out), as: UTF8.self).trimmingSuffix { $0 == "\n" }
    }
}

/// Why the test directory could not be set up.
public struct TestDirectoryError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    fileprivate func trimmingSuffix(while drop: (Character) -> Bool) -> String {
        var copy = self
        while let last = copy.last, drop(last) { copy.removeLast() }
        return copy
    }
}

/// A port nobody listens on now: bound to 127.0.0.1:0, read back, and closed.
public func freeLoopbackPort() throws -> Int {
    let (fd, port) = try loopbackSocket(listening: false)
    close(fd)
    return port
}

/// A loopback port that accepts connections (the kernel completes them) and never answers a byte: a directory that
/// hangs.
public final class SilentListener {
    public let port: Int
    private let fd: Int32

    public init() throws { (fd, port) = try loopbackSocket(listening: true) }

    deinit { close(fd) }
}

/// A TCP socket bound to 127.0.0.1 on a port the kernel picks, listening or not, and that port.
private func loopbackSocket(listening: Bool) throws -> (Int32, Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestDirectoryError("socket failed") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && (!listening || listen(fd, 8) == 0) && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else {
        close(fd)
        throw TestDirectoryError("bind failed")
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}
