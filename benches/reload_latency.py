#!/usr/bin/env python3
"""Median time from saving one post to the reload event `parlor serve`
sends its open tabs. Usage: reload_latency.py PARLOR SITE [RUNS]"""

import http.client, os, socket, subprocess, sys, time

parlor, site = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
server = subprocess.Popen([parlor, "--root", site, "serve", "--quiet", "--port", str(port)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(600):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("HEAD", "/")
            break
        except OSError:
            time.sleep(0.1)
    posts = os.path.join(site, "content", "posts")
    post = os.path.join(posts, sorted(os.listdir(posts))[0])
    original = open(post).read()
    times = []
    for i in range(runs):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/__parlor/events")
        events = conn.getresponse()
        time.sleep(0.3)
        start = time.monotonic()
        with open(post, "w") as f:
            f.write(original + "\nEdited %d.\n" % i)
        while b"reload" not in events.fp.readline():
            pass
        times.append((time.monotonic() - start) * 1000)
        conn.close()
        time.sleep(0.3)
    with open(post, "w") as f:
        f.write(original)
    print("%.0f" % sorted(times)[len(times) // 2])
finally:
    server.terminate()
    server.wait()
