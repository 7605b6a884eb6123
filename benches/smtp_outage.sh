#!/usr/bin/env bash
# A mail server down for a minute: `parlor intake` with the default
# `retry_seconds` (30) takes a comment while nothing listens on the SMTP
# port, the SMTP server (aiosmtpd) starts 60 s later, and this prints when
# the moderator's mail arrived and what is left in the outbox.
# Usage: benches/smtp_outage.sh PARLOR [OUTAGE_SECONDS]
set -euo pipefail
parlor=$(realpath "$1")
outage=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
smtp=$(free_port)
intake=$(free_port)
mkdir -p "$work/site/content/posts"
cat >"$work/site/site.toml" <<TOML
title = "Outage Blog"
base_url = "https://blog.example.org/"

[notify]
email = ["moderator@example.org"]
smtp_host = "127.0.0.1"
smtp_port = $smtp
smtp_tls = "none"
TOML
printf -- '---\ntitle: Refunds\ndate: 2024-03-01\n---\nWhy so slow?\n' >"$work/site/content/posts/refunds.md"
export PARLOR_SECRET=outage-secret
"$parlor" --root "$work/site" intake --port "$intake" >"$work/intake.log" 2>&1 &
until (exec 3<>/dev/tcp/127.0.0.1/"$intake") 2>/dev/null; do sleep 0.1; done
token=$(python3 -c "import hmac,hashlib;print(hmac.new(b'outage-secret', b'parlor comment form\0refunds', hashlib.sha256).hexdigest())")
start=$(date +%s)
python3 - "$intake" "$token" <<'PY'
import sys, urllib.parse, urllib.request
class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a): return None
data = urllib.parse.urlencode({"post": "refunds", "author": "Dana", "token": sys.argv[2],
    "body": "The refund arrived only after the second letter to the bank."}).encode()
try:
    urllib.request.build_opener(Stay).open("http://127.0.0.1:%s/comments" % sys.argv[1], data)
except urllib.error.HTTPError as e:
    print("submitted:", e.code)
PY
echo "queued: $(ls "$work/site/.parlor/outbox/queue")"
sleep "$outage"
python3 "$here/../tests/tools/smtp_sink.py" "$smtp" "$work/mail" >/dev/null &
until [ -n "$(ls "$work/mail" 2>/dev/null)" ]; do sleep 0.2; done
echo "the mail arrived $(( $(date +%s) - start )) s after the comment; SMTP was down for the first $outage s"
until [ -z "$(ls "$work/site/.parlor/outbox/queue")" ]; do sleep 0.2; done
echo "mails received: $(ls "$work/mail" | wc -l); left in the queue: $(ls "$work/site/.parlor/outbox/queue" | wc -l); failed tries logged: $(grep -c 'could not be sent' "$work/intake.log")"
