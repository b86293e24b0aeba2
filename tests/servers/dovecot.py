"""A real Dovecot IMAP server on loopback, with one throwaway user and Maildir.

Started in the foreground (``dovecot -F -c CONF``) so the test owns the process and can
restart it on the same port. The folder is mode 755, not pytest's 0700 ``tmp_path``,
because Dovecot's auth process must read the password file; as root, the mail files
belong to ``nobody`` so Dovecot's privilege checks pass. The benchmark reuses this.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest

DOVECOT = "/usr/sbin/dovecot"
T = TypeVar("T")
USER = "erhverv"
PASSWORD = "hemmeligt-test-kodeord"
# Dovecot's usual capabilities without IDLE, for testing the polling fallback.
NO_IDLE_CAPABILITIES = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT LITERAL+ UIDPLUS MOVE NAMESPACE UNSELECT"


class DovecotMissing(RuntimeError):
    """Dovecot is not installed and could not be installed."""


def ensure_dovecot() -> None:
    """Install dovecot-imapd once when missing (CI starts from a bare machine)."""
    if Path(DOVECOT).exists():
        return
    if not shutil.which("apt-get"):
        raise DovecotMissing("dovecot is not installed and apt-get is not available")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "dovecot-imapd"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, capture_output=True)
        done = subprocess.run(install, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise DovecotMissing(f"apt-get install dovecot-imapd failed: {done.stderr[-500:]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, so STARTTLS and SSL can be tested on loopback."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    key.chmod(0o644)
    return cert, key


@dataclass
class DovecotServer:
    """One Dovecot instance; ``start``/``stop``/``restart`` keep the port and the mail."""

    idle: bool = True
    tls: bool = False
    host: str = "127.0.0.1"
    port: int = field(default_factory=free_port)
    ssl_port: int = 0
    user: str = USER
    password: str = PASSWORD
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="indgang-dovecot-")))
    cert: Path | None = None
    process: subprocess.Popen | None = None
    _client: imaplib.IMAP4 | None = None

    def start(self) -> DovecotServer:
        ensure_dovecot()
        if not (self.folder / "dovecot.conf").exists():
            self._prepare()
        log = open(self.folder / "dovecot.log", "ab")
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.folder / "dovecot.conf")],
                                        stdout=log, stderr=log, start_new_session=True)
        log.close()
        self._wait_ready()
        return self

    def stop(self) -> None:
        self._drop_client()
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def kill(self) -> None:
        """Stop at once (SIGKILL to the whole process group): for teardown, where grace costs a second."""
        self._drop_client()
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        return (self.folder / "dovecot.log").read_text(errors="replace")

    # --- helpers for tests: deliver mail and look at the mailbox ---------------

    def append(self, raw: bytes, mailbox: str = "INBOX") -> None:
        """Deliver a message the way a mail server would: it arrives unseen."""
        self._with_client(lambda c: c.append(mailbox, "", None, raw))

    def search(self, criteria: str = "ALL", mailbox: str = "INBOX") -> list[int]:
        def run(client: imaplib.IMAP4) -> list[int]:
            client.select(mailbox, readonly=True)
            _, data = client.uid("SEARCH", criteria)
            return [int(x) for x in (data[0] or b"").split()]
        return self._with_client(run)

    def flags(self, uid: int, mailbox: str = "INBOX") -> set[str]:
        def run(client: imaplib.IMAP4) -> set[str]:
            client.select(mailbox, readonly=True)
            _, data = client.uid("FETCH", str(uid), "(FLAGS)")
            text = data[0].decode() if data and data[0] else ""
            found = re.search(r"FLAGS \(([^)]*)\)", text)
            return set(found.group(1).split()) if found else set()
        return self._with_client(run)

    def create_mailbox(self, name: str) -> None:
        self._with_client(lambda c: c.create(name))

    # --- internals --------------------------------------------------------------

    def _with_client(self, fn: Callable[[imaplib.IMAP4], T]) -> T:
        for attempt in range(2):
            try:
                if self._client is None:
                    self._client = imaplib.IMAP4(self.host, self.port, timeout=10)
                    self._client.login(self.user, self.password)
                return fn(self._client)
            except (OSError, imaplib.IMAP4.abort):
                self._drop_client()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _drop_client(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.logout()
            self._client = None

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), 0.2) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return
            time.sleep(0.02)
        raise RuntimeError(f"dovecot did not start: {self.log()[-2000:]}")

    def _prepare(self) -> None:
        self.folder.chmod(0o755)
        home = self.folder / "home"
        home.mkdir()
        for name in ("run", "state"):
            (self.folder / name).mkdir()
        (self.folder / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        (self.folder / "passwd").chmod(0o644)
        if self.tls:
            self.cert, key = self_signed_cert(self.folder)
            self.ssl_port = free_port()
        owner = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        os.chown(home, owner.pw_uid, owner.pw_gid)
        (self.folder / "dovecot.conf").write_text(self._config(owner))

    def _config(self, owner: pwd.struct_passwd) -> str:
        me = pwd.getpwuid(os.geteuid()).pw_name
        unprivileged = "" if os.geteuid() == 0 else (
            f"default_internal_user = {me}\ndefault_login_user = {me}\n"
            "service anvil {\n  chroot =\n}\nservice imap-login {\n  chroot =\n}\n")
        ssl = (f"ssl = yes\nssl_cert = <{self.cert}\nssl_key = <{self.folder / 'key.pem'}\n"
               if self.tls else "ssl = no\n")
        capability = "" if self.idle else f"imap_capability = {NO_IDLE_CAPABILITIES}\n"
        return f"""# written by tests/servers/dovecot.py
protocols = imap
listen = {self.host}
base_dir = {self.folder / 'run'}
state_dir = {self.folder / 'state'}
log_path = /dev/stderr
{ssl}disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
mail_location = maildir:~/Maildir
{capability}{unprivileged}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.folder / 'passwd'}
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={self.folder / 'home'}
}}
service imap-login {{
  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
    address = {self.host}
    port = {self.ssl_port}
  }}
}}
"""


def _server(idle: bool = True, tls: bool = False) -> Iterator[DovecotServer]:
    try:
        server = DovecotServer(idle=idle, tls=tls).start()
    except DovecotMissing as exc:
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def dovecot() -> Iterator[DovecotServer]:
    """A fresh Dovecot with IDLE, empty INBOX, per test."""
    yield from _server()


@pytest.fixture
def dovecot_no_idle() -> Iterator[DovecotServer]:
    """Dovecot that does not offer IDLE, so clients must poll."""
    yield from _server(idle=False)


@pytest.fixture
def dovecot_tls() -> Iterator[DovecotServer]:
    """Dovecot with a self-signed certificate: STARTTLS on ``port``, SSL on ``ssl_port``."""
    yield from _server(tls=True)
