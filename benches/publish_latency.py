#!/usr/bin/env python3
"""Time from the moderator's confirm click (the POST of a one-click
approve link) to the approved comment being in the published page, with
`parlor intake --publish` and a real SMTP server (aiosmtpd) on loopback.

Usage: publish_latency.py PARLOR SITE [RUNS]

SITE is copied to a temp folder; its site.toml gets a [notify] section
pointing at the local SMTP server. Each run posts a comment to a post
(as its form would, with the form token made from PARLOR_SECRET), waits for
the moderator's mail, opens its approve link (GET), presses the button
(POST), and polls the published file every 5 ms. Prints each run and the
median in ms.
"""

import email, email.policy, hashlib, hmac, os, re, shutil, socket, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

SECRET = "publish-latency-secret"
BODIES = [
    "The callback queue beat holding music by an hour at our bank.",
    "Our store refunded the wardrobe only after I wrote to the manager.",
    "Chat support answered in minutes, but nobody could change the delivery date.",
    "I asked for the refund in writing and it arrived within the week.",
    "The agent apologised, explained the policy, and then made an exception.",
    "Three transfers later the original ticket number still meant nothing to anyone.",
    "A patient phone agent walked my father through the reset step by step.",
    "Email was slower than the phone, but at least it left a record of the promise.",
    "We switched banks after the second lost cheque; the new one calls back.",
    "Would a written script for password resets have saved that call?",
]
HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=600):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("nothing listens on %d" % port)


def form_token(slug):
    mac = hmac.new(SECRET.encode(), b"parlor comment form\0" + slug.encode(), hashlib.sha256)
    return mac.hexdigest()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def post_form(url, fields):
    data = urllib.parse.urlencode(fields).encode()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=data)) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def until(what, check, seconds=120, every=0.005):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(every)
    sys.exit("gave up waiting for " + what)


def main():
    parlor, source = os.path.abspath(sys.argv[1]), sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    work = tempfile.mkdtemp(prefix="parlor-publish-")
    site, mail_dir = os.path.join(work, "site"), os.path.join(work, "mail")
    shutil.copytree(source, site, ignore=shutil.ignore_patterns("public", ".parlor", ".git", "target"))
    smtp_port, intake_port = free_port(), free_port()
    # Every comment here comes from 127.0.0.1: no wait between them.
    config = open(os.path.join(site, "site.toml")).read()
    if "\n[moderation]\n" in config:
        config = config.replace("\n[moderation]\n", "\n[moderation]\nflood_seconds = 0\n", 1)
    else:
        config += "\n[moderation]\nflood_seconds = 0\n"
    with open(os.path.join(site, "site.toml"), "w") as f:
        f.write(config)
    with open(os.path.join(site, "site.toml"), "a") as f:
        f.write('\n[notify]\nemail = ["moderator@example.org"]\nsmtp_host = "127.0.0.1"\n'
                'smtp_port = %d\nsmtp_tls = "none"\nretry_seconds = 1\n' % smtp_port)
    base_url = re.search(r'^base_url\s*=\s*"([^"]+)"', open(os.path.join(site, "site.toml")).read(), re.M)
    base_url = base_url.group(1).rstrip("/")
    smtp = subprocess.Popen([sys.executable, os.path.join(HERE, "..", "tests", "tools", "smtp_sink.py"),
                             str(smtp_port), mail_dir], stdout=subprocess.PIPE)
    smtp.stdout.readline()
    env = dict(os.environ, PARLOR_SECRET=SECRET)
    intake = subprocess.Popen([parlor, "--root", site, "intake", "--publish", "--port", str(intake_port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        wait_port(intake_port)
        start = time.monotonic()
        line = ""
        while "published" not in line:
            line = intake.stdout.readline()
            if not line:
                sys.exit("intake stopped before publishing")
        print("first publish: %s (%.1f s after intake listened)" % (line.strip(), time.monotonic() - start))
        pages = open_posts(site)
        times = []
        for i in range(runs):
            slug, target = pages[(i * 7919) % len(pages)]
            # Texts unlike each other: a near-copy would be judged a duplicate.
            body = "%s (run %d)" % (BODIES[i % len(BODIES)], i)
            fields = {"post": slug, "author": "Bench %d" % i, "body": body, "token": form_token(slug)}
            status, text = post_form("http://127.0.0.1:%d/comments" % intake_port, fields)
            assert status == 303, (status, text)

            def approve_link():
                for name in sorted(os.listdir(mail_dir)) if os.path.isdir(mail_dir) else []:
                    if not name.endswith(".eml"):
                        continue
                    msg = email.message_from_bytes(open(os.path.join(mail_dir, name), "rb").read(),
                                                   policy=email.policy.default)
                    text = msg.get_body(("plain",)).get_content()
                    lines = text.splitlines()
                    if body in text and "Approve:" in lines:
                        return lines[lines.index("Approve:") + 1].strip()
            link = until("the moderator's mail", approve_link)
            query = urllib.parse.urlsplit(link).query
            local = "http://127.0.0.1:%d/comments/moderate" % intake_port
            urllib.request.urlopen(local + "?" + query).read()
            fields = dict(urllib.parse.parse_qsl(query))
            comment_id = fields["c"]
            clicked = time.monotonic()
            status, _ = post_form(local, fields)
            assert status == 200, status
            until("the published comment", lambda: comment_id in open(target, encoding="utf-8").read())
            ms = (time.monotonic() - clicked) * 1000
            times.append(ms)
            print("run %d: %.0f ms" % (i, ms))
        print("median %.0f ms" % sorted(times)[len(times) // 2])
    finally:
        intake.terminate()
        intake.wait()
        smtp.terminate()
        smtp.wait()
        shutil.rmtree(work, ignore_errors=True)


def open_posts(site):
    """(slug, published page) of every post whose page has a comment form."""
    found = []
    for root, _, files in os.walk(os.path.join(site, "public")):
        if "index.html" in files:
            path = os.path.join(root, "index.html")
            m = re.search(r'<input type="hidden" name="post" value="([^"]+)">', open(path, encoding="utf-8").read())
            if m and "/comments/" not in path:
                found.append((m.group(1), path))
    if not found:
        sys.exit("no published page has a comment form")
    return sorted(found)


if __name__ == "__main__":
    main()
