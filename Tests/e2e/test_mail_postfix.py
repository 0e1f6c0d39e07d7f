"""E-mail end to end through a real Postfix on 127.0.0.1 (Debian's package, a private instance in a temporary
folder): a customer's message sent over SMTP is piped to `kesu mail-in` and becomes a complaint with its attachment;
the agent's reply goes out through Postfix (Kesu's SMTP client, on a submission port that demands STARTTLS with a
certificate of the test's own CA and AUTH) to the customer's mailbox, threaded; the customer's answer joins the same
complaint. With Kesu's PostgreSQL stopped, a message stays deferred in Postfix's queue
(mail-in exits 75) and, once the database is back and the queue flushed, arrives exactly once.
"""
import contextlib
import email
import email.policy
import json
import os
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from conftest import PASSWORD, ROOT, free_port

BINARY = os.environ.get("KESU_BIN", os.path.join(ROOT, ".build", "debug", "kesu"))
# A number the demo company's customers do not have.
PHONE = "13912340077"
PNG = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + bytes(range(64))

MASTER_CF = """\
{smtp_port} inet n - n - - smtpd
{submission_port} inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
kesu      unix  -       n       n       -       -       pipe
  flags=Rq user=nobody argv={mail_in}
"""

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {base}/queue
data_directory = {base}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.kesu.test
mydomain = kesu.test
mydestination =
mynetworks = 127.0.0.0/8
relay_domains = kesu.test
transport_maps = inline:{{ kesu.test=kesu: }}
kesu_destination_recipient_limit = 1
virtual_mailbox_domains = customer.test
virtual_mailbox_base = {base}/mail
virtual_mailbox_maps = static:customer/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
maillog_file = {base}/maillog
maillog_file_prefixes = {base}
smtpd_banner = $myhostname ESMTP
minimal_backoff_time = 300s
smtpd_tls_cert_file = {base}/tls/relay.pem
smtpd_tls_key_file = {base}/tls/relay.key
smtpd_tls_loglevel = 1
smtpd_sasl_type = cyrus
cyrus_sasl_config_path = {base}/etc/sasl
smtpd_sasl_local_domain = kesu.test
"""

# Cyrus SASL for the submission port: PLAIN and LOGIN against a sasldb of one user.
SASL_CONF = """\
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: {base}/sasldb2
"""
RELAY_USER, RELAY_PASSWORD = "kesu", "relay-pw-7731"


def make_relay_tls(base_dir):
    """A CA of the test's own and the relay's certificate for 127.0.0.1, signed by it; returns the CA's file."""
    tls = os.path.join(base_dir, "tls")
    os.makedirs(tls)

    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=tls)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=Kesu test relay CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "relay.key", "-out", "relay.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(tls, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "relay.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "relay.pem", "-days", "2", "-extfile", "san.ext")
    return os.path.join(tls, "ca.pem")


def pg_start():
    out = subprocess.run([os.path.join(ROOT, "scripts", "pg-throwaway"), "start"], check=True, capture_output=True,
                         text=True).stdout
    env = {}
    for line in out.splitlines():
        for pair in line.replace("export ", "").split():
            key, _, value = pair.partition("=")
            env[key] = value
    return env


def pg_ctl(pg, action):
    port = pg["DATABASE_URL"].split(":")[-1].split("/")[0]
    args = [os.path.join(pg["KESU_PG_BIN"], "pg_ctl"), "-D", pg["KESU_PG_DIR"] + "/data", "-w", "-t", "60"]
    if action == "start":
        args += ["-l", pg["KESU_PG_DIR"] + "/server.log", "-o",
                 f"-p {port} -k {pg['KESU_PG_DIR']} -c listen_addresses=127.0.0.1 -c fsync=off"]
    else:
        args += ["-m", "fast"]
    subprocess.run(["runuser", "-u", "postgres", "--"] + args + [action], check=True, capture_output=True)


def api(base, method, path, token=None, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


def wait_for(what, probe, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = probe()
        if got:
            return got
        time.sleep(0.3)
    raise AssertionError("timed out waiting for " + what)


@pytest.fixture(scope="module")
def world():
    """The private Postfix, a PostgreSQL and a serving Kesu; each stopped at the end, even when a later one fails to start."""
    with contextlib.ExitStack() as stops:
        assert shutil.which("postfix"), "Postfix is missing: scripts/test installs it from Debian"
        pg = pg_start()
        stops.callback(subprocess.run, [os.path.join(ROOT, "scripts", "pg-throwaway"), "stop", pg["KESU_PG_DIR"]],
                       capture_output=True)
        base_dir = tempfile.mkdtemp(prefix="kesu-postfix-")
        stops.callback(lambda: None if os.environ.get("KESU_KEEP_MAIL_TEST") else shutil.rmtree(base_dir, ignore_errors=True))
        os.chmod(base_dir, 0o755)
        smtp_port, submission_port, http_port = free_port(), free_port(), free_port()
        mail_from = "kefu@kesu.test"
        ca_file = make_relay_tls(base_dir)
        env = dict(os.environ, DATABASE_URL=pg["DATABASE_URL"], KESU_MAIL_FROM=mail_from, LOG_LEVEL="warning",
                   KESU_SMTP_URL=f"smtp://{RELAY_USER}:{RELAY_PASSWORD}@127.0.0.1:{submission_port}",
                   KESU_SMTP_CA_FILE=ca_file, KESU_OUTBOX_POLL_MS="200", KESU_PORT=str(http_port),
                   KESU_BCRYPT_COST="6", KESU_PUBLIC_URL=f"http://127.0.0.1:{http_port}",
                   KESU_DATA_DIR=os.path.join(base_dir, "kesu-data"))
        # The pipe runs mail-in as `nobody`, who may not reach the checkout: a copy of the binary and its resources
        # beside the wrapper, which names the database (Postfix gives the pipe no environment).
        bin_dir = os.path.join(base_dir, "bin")
        os.makedirs(bin_dir)
        binary = shutil.copy2(BINARY, bin_dir)
        build = os.path.dirname(BINARY)
        for bundle in [n for n in os.listdir(build) if n.endswith(".resources")]:
            shutil.copytree(os.path.join(build, bundle), os.path.join(bin_dir, bundle))
        subprocess.run(["chmod", "-R", "a+rX", bin_dir], check=True)
        mail_in = os.path.join(base_dir, "kesu-mail-in")
        with open(mail_in, "w") as f:
            f.write("#!/bin/sh\nexport DATABASE_URL='%s' KESU_MAIL_FROM='%s' KESU_PUBLIC_URL='%s' LOG_LEVEL=error\n"
                    "exec '%s' mail-in\n" % (pg["DATABASE_URL"], mail_from, env["KESU_PUBLIC_URL"], binary))
        os.chmod(mail_in, 0o755)
        etc = os.path.join(base_dir, "etc")
        os.makedirs(etc)
        os.makedirs(os.path.join(base_dir, "mail"))
        # Postfix makes its queue's folders itself, inside these two.
        os.makedirs(os.path.join(base_dir, "queue"))
        os.makedirs(os.path.join(base_dir, "data"))
        shutil.chown(os.path.join(base_dir, "data"), "postfix")
        shutil.chown(os.path.join(base_dir, "mail"), "nobody", "nogroup")
        open(os.path.join(etc, "main.cf"), "w").write(MAIN_CF.format(base=base_dir))
        open(os.path.join(etc, "master.cf"), "w").write(MASTER_CF.format(
            smtp_port=f"127.0.0.1:{smtp_port}", submission_port=f"127.0.0.1:{submission_port}", mail_in=mail_in))
        os.makedirs(os.path.join(etc, "sasl"))
        open(os.path.join(etc, "sasl", "smtpd.conf"), "w").write(SASL_CONF.format(base=base_dir))
        sasldb = os.path.join(base_dir, "sasldb2")
        subprocess.run(["saslpasswd2", "-p", "-c", "-f", sasldb, "-u", "kesu.test", RELAY_USER],
                       input=RELAY_PASSWORD, text=True, check=True, capture_output=True)
        shutil.chown(sasldb, "postfix")
        # The master in the foreground (as in a container): it makes the queue's folders and logs to maillog.
        postfix = subprocess.Popen(["postfix", "-c", etc, "start-fg"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        stops.callback(postfix.wait, timeout=20)
        stops.callback(subprocess.run, ["postfix", "-c", etc, "stop"], capture_output=True)
        wait_for("Postfix to listen", lambda: _listening(smtp_port), timeout=30)
        server = subprocess.Popen([BINARY, "serve", "--demo"], cwd=ROOT, env=env, stdout=open(os.path.join(base_dir, "server.log"), "w"),
                                  stderr=subprocess.STDOUT)
        stops.callback(server.wait, timeout=20)
        stops.callback(server.terminate)
        base = f"http://127.0.0.1:{http_port}"
        wait_for("Kesu to start", lambda: _healthy(base), timeout=120)
        token = api(base, "POST", "/api/v1/auth/token", body={"username": "agent", "password": PASSWORD})["token"]
        yield dict(base=base, token=token, smtp_port=smtp_port, submission_port=submission_port, etc=etc,
                   base_dir=base_dir, pg=pg, server_log=os.path.join(base_dir, "server.log"))


def _listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _healthy(base):
    try:
        with urllib.request.urlopen(base + "/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def send(world, subject, body, msgid, in_reply_to=None, attachment=False):
    msg = EmailMessage()
    msg["From"] = "张三 <zhang@customer.test>"
    msg["To"] = "kefu@kesu.test"
    msg["Subject"] = subject
    msg["Message-ID"] = msgid
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(body, charset="gb18030")
    if attachment:
        msg.add_attachment(PNG, maintype="image", subtype="png", filename="外箱.png")
    with smtplib.SMTP("127.0.0.1", world["smtp_port"], timeout=10) as s:
        s.send_message(msg)


def mailbox(world):
    """The customer's mailbox (Maildir), parsed."""
    new = os.path.join(world["base_dir"], "mail", "customer", "new")
    if not os.path.isdir(new):
        return []
    return [email.message_from_bytes(open(os.path.join(new, n), "rb").read(), policy=email.policy.default)
            for n in sorted(os.listdir(new))]


def email_complaints(world):
    return api(world["base"], "GET", f"/api/v1/complaints?channel=email&phone={PHONE}&limit=100", world["token"])["items"]


def test_a_message_becomes_a_complaint_the_reply_comes_back_threaded_and_the_answer_joins(world):
    first_id = make_msgid(domain="customer.test")
    send(world, "快递三天没送到", f"运单 YT8800000000123 三天没到，电话 {PHONE}。", first_id, attachment=True)
    complaint = wait_for("the complaint", lambda: email_complaints(world))[0]
    number = complaint["number"]
    detail = api(world["base"], "GET", f"/api/v1/complaints/{number}", world["token"])
    assert detail["waybillNumbers"] == ["YT8800000000123"]
    assert [e["note"] for e in detail["timeline"] if e["kind"] == "attachment"] == ["外箱.png"]

    # The acknowledgement answers the customer's message.
    ack = wait_for("the acknowledgement", lambda: mailbox(world))[0]
    assert ack["In-Reply-To"] == first_id
    assert f"[{number}]" in ack["Subject"]
    assert ack["Auto-Submitted"] == "auto-replied"

    api(world["base"], "POST", f"/api/v1/complaints/{number}/notes", world["token"],
        {"body": "已联系网点，明天上午派送。", "customerVisible": True})
    reply = wait_for("the reply", lambda: [m for m in mailbox(world) if m["Auto-Submitted"] is None])[0]
    assert first_id in reply["References"]
    assert "已联系网点，明天上午派送。" in reply.get_content()
    # Both went through the submission port: over TLS, logged in.
    log = open(os.path.join(world["base_dir"], "maillog")).read()
    assert "TLS connection established from localhost[127.0.0.1]" in log
    assert f"sasl_method=PLAIN, sasl_username={RELAY_USER}" in log
    assert RELAY_PASSWORD not in open(world["server_log"]).read(), "no credential in Kesu's log"

    send(world, "Re: " + str(reply["Subject"]), "好的，谢谢。\n\n> 已联系网点", make_msgid(domain="customer.test"),
         in_reply_to=reply["Message-ID"])

    def answered():
        timeline = api(world["base"], "GET", f"/api/v1/complaints/{number}", world["token"])["timeline"]
        return [e for e in timeline if e["kind"] == "customer_message"]
    said = wait_for("the answer on the timeline", answered)
    assert said[0]["note"] == "好的，谢谢。"
    assert len(email_complaints(world)) == 1


def test_with_the_database_down_the_message_waits_in_postfix_and_arrives_once(world):
    before = len(email_complaints(world))
    pg_ctl(world["pg"], "stop")
    try:
        send(world, "第二件投诉", f"另一个运单 YT8800000000999，电话 {PHONE}。", make_msgid(domain="customer.test"))
        log = os.path.join(world["base_dir"], "maillog")
        wait_for("a deferral", lambda: "status=deferred" in open(log).read() if os.path.exists(log) else False)
        queue = subprocess.run(["postqueue", "-c", world["etc"], "-j"], capture_output=True, text=True).stdout
        assert queue.strip(), "the message is still in Postfix's queue"
    finally:
        pg_ctl(world["pg"], "start")
    subprocess.run(["postqueue", "-c", world["etc"], "-f"], check=True, capture_output=True)
    wait_for("the complaint after the flush", lambda: len(email_complaints(world)) == before + 1)
    subprocess.run(["postqueue", "-c", world["etc"], "-f"], check=True, capture_output=True)
    time.sleep(3)
    assert len(email_complaints(world)) == before + 1, "delivered exactly once"
    queue = subprocess.run(["postqueue", "-c", world["etc"], "-j"], capture_output=True, text=True).stdout
    assert not queue.strip(), "nothing left in the queue"
