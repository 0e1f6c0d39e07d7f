"""Hostile and broken mail through the real `kesu mail-in` binary, as an MTA's pipe runs it: each message ends with
exit 0 (stored, or dropped on purpose) or 65 (never storable, with a reason for the bounce), never a crash, a hang or
a 75 that would make the MTA retry something hopeless.
"""
import base64
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import pytest

from conftest import ROOT, free_port

BINARY = os.environ.get("KESU_BIN", os.path.join(ROOT, ".build", "debug", "kesu"))


def message(headers, body=b"\r\n\r\nhello 13912340088", sep=b"\r\n"):
    return sep.join(h.encode() if isinstance(h, str) else h for h in headers) + body


NESTED = "From: a@b.cn\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n" + "".join(
    f"--b{i}\r\nContent-Type: multipart/mixed; boundary=b{i + 1}\r\n\r\n" for i in range(60))

CORPUS = {
    "empty": (b"", 65),
    "garbage": (bytes(range(256)) * 40, 65),
    "no sender": (message(["To: kefu@kesu.test", "Subject: hi"]), 65),
    "plain with phone": (message(["From: ok@example.com", "Message-ID: <ok1@example.com>", "Subject: 快递没到"]), 0),
    "no phone anywhere": (message(["From: nophone@example.com", "Subject: 快递没到"], b"\r\n\r\nno number here"), 65),
    "malformed mime": (message(["From: m@example.com", "Content-Type: multipart/mixed; boundary="],
                               b"\r\n\r\n--\r\n=?=?==\r\n13912340088"), 0),
    "base64 garbage": (message(["From: g@example.com", "Content-Transfer-Encoding: base64"], b"\r\n\r\n!!@@##"), 65),
    "unclosed multipart": (message(["From: u@example.com", 'Content-Type: multipart/mixed; boundary="q"'],
                                   b"\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\n13912340088 box broken"), 0),
    "deep nesting": (NESTED.encode(), 65),
    "10 MB header": (message(["From: h@example.com", "X-Big: " + "x" * (10 * 1024 * 1024)]), 65),
    "utf-32 body": (message(["From: w@example.com", "Content-Type: text/plain; charset=utf-32"],
                            b"\r\n\r\n" + "电话 13912340088 破损".encode("utf-32")), 0),
    # A raw line break ends the From field, leaving no address; an encoded one is only a character to drop.
    "crlf in name": (message(['From: "Evil\r\nBcc: x@y.z" <evil@example.com>']), 65),
    "encoded crlf in name": (message(["From: =?UTF-8?Q?Evil=0D=0ABcc:_x@y.z?= <evil@example.com>",
                                      "Subject: =?UTF-8?Q?a=0D=0ABcc:_x@y.z?="]), 0),
    "our own loop": (message(["From: c@example.com", "X-Loop: kefu@kesu.test"]), 0),
    "auto-reply": (message(["From: away@example.com", "Auto-Submitted: auto-replied", "Subject: 自动回复: 我不在"]), 0),
    "bulk": (message(["From: news@example.com", "Precedence: bulk"]), 0),
    "bounce": (message(["From: MAILER-DAEMON@mx.example.com", "Return-Path: <>",
                        "Content-Type: multipart/report; report-type=delivery-status; boundary=r"],
                       b"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nundeliverable\r\n--r--\r\n"), 0),
    "bare newlines": (message(["From: lf@example.com", "Subject: lf"], b"\n\n13912340088 lf only", sep=b"\n"), 0),
    "huge attachment": (message(["From: big@example.com", "Content-Type: multipart/mixed; boundary=z"],
                                b"\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\n13912340088\r\n--z\r\n"
                                b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                                b"Content-Disposition: attachment; filename=big.bin\r\n\r\n"
                                + base64.encodebytes(b"\0" * (21 * 1024 * 1024)) + b"\r\n--z--\r\n"), 0),
    "over the size limit": (b"From: x@example.com\r\n\r\n" + b"a" * (31 * 1024 * 1024), 65),
}


@pytest.fixture(scope="module")
def data_dir():
    """A data folder a first `serve` set up (the company's head office and first admin), then stopped."""
    path = tempfile.mkdtemp(prefix="kesu-mail-corpus-")
    port = free_port()
    env = dict(os.environ, KESU_DATA_DIR=path, KESU_PORT=str(port), KESU_ADMIN_PASSWORD="corpus-admin-2026",
               KESU_BCRYPT_COST="4", LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen([BINARY, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        for _ in range(400):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=20)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("name", list(CORPUS))
def test_hostile_mail_is_stored_dropped_or_refused_never_crashes(name, data_dir):
    raw, expected = CORPUS[name]
    env = dict(os.environ, KESU_DATA_DIR=data_dir, KESU_MAIL_FROM="kefu@kesu.test", LOG_LEVEL="error")
    env.pop("DATABASE_URL", None)
    done = subprocess.run([BINARY, "mail-in"], input=raw, capture_output=True, env=env, timeout=120)
    said = (done.stdout + done.stderr).decode(errors="replace")
    assert done.returncode == expected, f"{name}: exit {done.returncode}: {said[-500:]}"
    assert "kesu mail-in:" in said
    if expected == 65:
        assert "try again" not in said
