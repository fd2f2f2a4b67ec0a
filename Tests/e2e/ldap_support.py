"""A real OpenLDAP server for the browser tests of `--auth ldap`: Debian's slapd started as our own child process on
a free loopback port, with its own slapd.conf and mdb database in a temporary folder (never the system's slapd),
holding the people below and an admin group. Tests/TestSupport/TestDirectory.swift is the same directory for the
Swift tests; tools/test installs slapd and ldap-utils."""
import base64
import hashlib
import os
import socket
import subprocess
import time

import pytest

SUFFIX = "dc=example,dc=org"
ADMIN_GROUP = f"cn=admins,ou=groups,{SUFFIX}"
SERVICE_DN = f"cn=quarry,{SUFFIX}"
SERVICE_PASSWORD = "service secret"
# uid: (password, admin)
PEOPLE = {"alice": ("alice's secret", True), "bob": ("bob's secret", False)}

CONFIG = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "cn=root,{suffix}"
directory {folder}
access to attrs=userPassword by anonymous auth by self read by * none
access to * by * read
"""


def ssha(password):
    """`password` as slappasswd's {SSHA}: SHA-1 of the password and a salt, then the salt, in base64."""
    salt = os.urandom(8)
    return "{SSHA}" + base64.b64encode(hashlib.sha1(password.encode() + salt).digest() + salt).decode()


def person_dn(uid):
    return f"uid={uid},ou=people,{SUFFIX}"


def ldif():
    entries = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n"]
    entries += [f"dn: ou={unit},{SUFFIX}\nobjectClass: organizationalUnit\nou: {unit}\n" for unit in ("people", "groups")]
    entries.append(f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: quarry\n"
                   f"userPassword: {ssha(SERVICE_PASSWORD)}\n")
    for uid, (password, _) in PEOPLE.items():
        entries.append(f"dn: {person_dn(uid)}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\nsn: {uid}\n"
                       f"userPassword: {ssha(password)}\n")
    members = "".join(f"member: {person_dn(uid)}\n" for uid, (_, admin) in PEOPLE.items() if admin)
    entries.append(f"dn: {ADMIN_GROUP}\nobjectClass: groupOfNames\ncn: admins\n{members}")
    return "\n".join(entries)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Slapd:
    """slapd on 127.0.0.1:`port`, loaded with `PEOPLE`; `stop()` ends it."""

    def __init__(self, folder):
        self.folder = str(folder)
        self.port = free_port()
        self.url = f"ldap://127.0.0.1:{self.port}"
        conf = os.path.join(self.folder, "slapd.conf")
        with open(conf, "w") as f:
            f.write(CONFIG.format(folder=self.folder, suffix=SUFFIX))
        with open(os.path.join(self.folder, "data.ldif"), "w") as f:
            f.write(ldif())
        subprocess.run(["/usr/sbin/slapadd", "-q", "-f", conf, "-l", os.path.join(self.folder, "data.ldif")],
                       check=True, capture_output=True)
        self.log = open(os.path.join(self.folder, "slapd.log"), "w")
        self.process = subprocess.Popen(["/usr/sbin/slapd", "-d", "0", "-f", conf, "-h", f"{self.url}/"],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while subprocess.run(["/usr/bin/ldapsearch", "-x", "-H", self.url, "-b", SUFFIX, "-s", "base", "-LLL", "dn"],
                             capture_output=True).returncode != 0:
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"slapd did not answer on {self.url} within 10 s")
            time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def search_env(self):
        """`quarry serve`'s settings for this directory: a search as the service account, admins by group."""
        return {"QUARRY_AUTH": "ldap", "QUARRY_LDAP_URL": self.url, "QUARRY_LDAP_BASE": SUFFIX,
                "QUARRY_LDAP_BIND_DN": SERVICE_DN, "QUARRY_LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
                "QUARRY_LDAP_ADMIN_GROUP": ADMIN_GROUP, "QUARRY_LDAP_TIMEOUT": "2"}

    def template_env(self):
        """The same with a DN template: bind at once, the group read as the person."""
        return {"QUARRY_AUTH": "ldap", "QUARRY_LDAP_URL": self.url,
                "QUARRY_LDAP_USER_DN": "uid={name},ou=people," + SUFFIX, "QUARRY_LDAP_ADMIN_GROUP": ADMIN_GROUP}


@pytest.fixture
def slapd(tmp_path_factory):
    server = Slapd(tmp_path_factory.mktemp("slapd"))
    yield server
    server.stop()
