"""A real IMAP server for tests: Debian's dovecot, started on 127.0.0.1 on a free port with a config
generated here (users from a static file, maildirs under a temporary folder, a self-signed certificate
for 127.0.0.1 made with ``cryptography``), IMAP over TLS only. ``.ci/run`` installs dovecot-imapd.

Run unprivileged: as the user running the tests, or, when that is root, as the package's ``dovecot``
user (dovecot refuses mail access as root). Messages are delivered with IMAP APPEND, as a mail server
would; ``uidvalidity`` can be changed to play a rebuilt folder.
"""
from __future__ import annotations

import datetime
import imaplib
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
PASSWORD = "app-password-for-tests"


def available() -> bool:
    return DOVECOT is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Dovecot:
    def __init__(self, users: tuple[str, ...] = ("hub@council.test",), introspection_url: str | None = None) -> None:
        """``introspection_url``: users may also sign in with OAuth2 (SASL XOAUTH2), their bearer tokens
        checked by dovecot's oauth2 passdb at that RFC 7662 introspection endpoint."""
        self.introspection_url = introspection_url
        # A folder of its own, not pytest's (private to root: dovecot's own user could not enter it).
        self.folder, self.users, self.port = Path(tempfile.mkdtemp(prefix="cf-dovecot-")), users, _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Dovecot":
        f = self.folder
        f.chmod(0o755)
        self.cert, key = write_certificate(f)
        self.key = key
        owner = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        (f / "mail").mkdir(exist_ok=True)
        for path in [f, f / "mail", key]:
            os.chown(path, owner.pw_uid, owner.pw_gid)
        (f / "users").write_text("".join(f"{u}:{{PLAIN}}{PASSWORD}::::::\n" for u in self.users))
        (f / "dovecot.conf").write_text(f"""
base_dir = {f}/run
state_dir = {f}/state
log_path = {f}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{self.cert}
ssl_key = <{key}
auth_mechanisms = plain{" xoauth2" if self.introspection_url else ""}
disable_plaintext_auth = yes
# Refused sign-ins answered at once, and no growing penalty for the tests' repeated refusals from 127.0.0.1
auth_failure_delay = 0
default_internal_user = {owner.pw_name}
default_internal_group = {_group(owner.pw_gid)}
default_login_user = {owner.pw_name}
first_valid_uid = {owner.pw_uid}
mail_location = maildir:{f}/mail/%u
passdb {{
  driver = passwd-file
  mechanisms = plain
  args = scheme=PLAIN username_format=%u {f}/users
}}
{self._oauth2_passdb()}userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={f}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {self.port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
}}
""")
        assert DOVECOT is not None
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(f / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot stopped: {self.process.stderr.read().decode() if self.process.stderr else ''}"
                                   f"{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self.log()}")

    def _oauth2_passdb(self) -> str:
        if not self.introspection_url:
            return ""
        (self.folder / "oauth2.conf.ext").write_text(f"""
introspection_mode = post
introspection_url = {self.introspection_url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
timeout_msecs = 5000
""")
        return f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2\n  args = {self.folder}/oauth2.conf.ext\n}}\n"

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def connect(self, user: str | None = None) -> imaplib.IMAP4_SSL:
        conn = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=self.ssl_context())
        conn.login(user or self.users[0], PASSWORD)
        return conn

    def deliver(self, raw: bytes, user: str | None = None, folder: str = "INBOX") -> None:
        conn = self.connect(user)
        try:
            status, data = conn.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
            assert status == "OK", data
        finally:
            conn.logout()

    def rebuild(self, user: str | None = None) -> None:
        """Give the folder a new UIDVALIDITY, as a restored or rebuilt mailbox has (messages kept)."""
        home = self.folder / "mail" / (user or self.users[0])
        for name in ("dovecot-uidlist", "dovecot.index", "dovecot.index.cache", "dovecot.index.log"):
            (home / name).unlink(missing_ok=True)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _group(gid: int) -> str:
    import grp
    return grp.getgrgid(gid).gr_name
