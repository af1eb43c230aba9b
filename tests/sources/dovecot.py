"""A throwaway Dovecot IMAP server on 127.0.0.1: own config, passwd-file user, Maildir in tmp."""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

USERS = [f"claire{i}" for i in range(40)]  # one mailbox per test, on one shared server
PASSWORD = "motdepasse-de-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Dovecot:
    """`start()`, `stop()`, `client()`; the same port and mail across a restart."""

    def __init__(self, root: Path) -> None:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binary).exists():
            raise RuntimeError(
                "dovecot is not installed: run `make services` (installs dovecot-imapd)"
            )
        self.binary = binary
        self.root = root
        self.port = free_port()
        self.config = root / "dovecot.conf"
        (root / "run" / "state").mkdir(parents=True)
        (root / "mail").mkdir()
        (root / "passwd").write_text(
            "".join(f"{u}:{{PLAIN}}{PASSWORD}::::::\n" for u in USERS), encoding="utf-8"
        )
        if os.getuid() == 0:  # Dovecot refuses to give mail to root: the mail belongs to nobody
            uid, gid, extra = 65534, 65534, ""
            os.chown(root / "mail", uid, gid)
        else:  # an ordinary user runs every Dovecot process as itself
            me = pwd.getpwuid(os.getuid()).pw_name
            uid, gid = os.getuid(), os.getgid()
            extra = f"default_internal_user = {me}\ndefault_login_user = {me}\n"
        self.config.write_text(
            f"""
base_dir = {root}/run
state_dir = {root}/run/state
instance_name = pouls-test-{self.port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/run/dovecot.log
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
{extra}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
""",
            encoding="utf-8",
        )

    def start(self) -> None:
        for attempt in range(50):  # after a crash, a dying child may still hold a socket a while
            errors = self.root / "run" / "start.err"  # a file: the daemon would hold a pipe open
            with errors.open("wb") as sink:
                done = subprocess.run(
                    [self.binary, "-c", str(self.config)], stderr=sink, timeout=30
                )
            if done.returncode == 0:
                break
            said = errors.read_text(errors="replace")
            if attempt == 49 or "already exists" not in said:
                raise RuntimeError(f"dovecot did not start: {said}")
            time.sleep(0.1)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(
            f"dovecot did not start: {(self.root / 'run' / 'dovecot.log').read_text()}"
        )

    def stop(self, *, crash: bool = False) -> None:
        """Shut down; `crash` kills the master and its children at once, as a crash would."""
        pid_file = self.root / "run" / "master.pid"
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text())
        if crash:  # freeze the master first, so that it cannot fork a child we would miss
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        victims = [*_descendants(pid), pid] if crash else [pid]
        for victim in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL if crash else signal.SIGTERM)
        for victim in victims:
            for _ in range(200):
                try:
                    os.kill(victim, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        pid_file.unlink(missing_ok=True)

    def client(self, user: str) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(user, PASSWORD)
        return conn

    def deliver(self, user: str, *messages: bytes, mailbox: str = "INBOX") -> None:
        """Put messages in a user's folder (IMAP APPEND), creating it if needed."""
        conn = self.client(user)
        try:
            if mailbox != "INBOX":
                conn.create(mailbox)
            for message in messages:
                typ, data = conn.append(mailbox, None, None, message)
                assert typ == "OK", data
        finally:
            conn.logout()


def _descendants(pid: int) -> list[int]:
    """Process ids below `pid` or in its session, from /proc.

    Dovecot's master forks one process per service; a child already orphaned by an earlier
    kill is no longer below the master, but it stays in the master's session.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                ppid, session = int(fields[1]), int(fields[3])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
            if session == pid and int(entry.name) != pid:
                children.setdefault(pid, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.append(child)
                todo.append(child)
    return found
