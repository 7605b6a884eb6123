"""A real SMTP server on loopback for the notification tests (aiosmtpd).

    python3 tests/tools/smtp_sink.py PORT DIR

Accepts every message and writes it whole (as received, headers and body)
to DIR/<n>.eml, atomically; prints "ready" once it listens. Stops on
SIGTERM or SIGKILL, like a mail server going down.
"""

import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, folder):
        self.folder = folder
        self.count = len(os.listdir(folder))
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            name = os.path.join(self.folder, "%06d.eml" % self.count)
        tmp = name + ".tmp"
        with open(tmp, "wb") as out:
            out.write(b"X-Envelope-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
            out.write(envelope.original_content or envelope.content)
            out.flush()
            os.fsync(out.fileno())
        os.rename(tmp, name)
        return "250 Message accepted for delivery"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Store(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
