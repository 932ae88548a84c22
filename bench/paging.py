#!/usr/bin/env python3
"""Deep paging and search on a 50,000-task account, on SQLite and PostgreSQL.

Starts the release server on a fresh database per backend, signs a user up through the real
form, fills their account with 50,000 tasks straight in SQL (ties included), then times, with
the user's cookie and HX-Request (the table fragment):
  - every page from the first to the last, following the "Next" links (size 100: 500 pages),
  - the last page asked for directly (page=last),
  - searches that match many, few and no tasks.
It prints medians in milliseconds. Nothing is asserted: timings on a shared machine are noisy,
so compare numbers from one run. Needs python3, sqlite3 and psql (PostgreSQL at
127.0.0.1:5432, user postgres, trust auth).

    python3 bench/paging.py            # both backends
    python3 bench/paging.py sqlite     # one
"""
import http.cookiejar, os, platform, re, secrets, socket, statistics, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "task-dashboard")
TASKS = 50_000
PG_ADMIN = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")

SQLITE_FILL = f"""
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {TASKS})
INSERT INTO tasks (user_id, title, description, is_completed, priority, due_date, version, created_at, updated_at)
SELECT 1, 'Task ' || i || CASE i % 7 WHEN 0 THEN ' invoice' WHEN 1 THEN ' report' ELSE ' errand' END,
       CASE WHEN i % 10 = 0 THEN 'Notes for ' || i END, i % 3 = 0, 1 + i % 3,
       CASE WHEN i % 4 = 0 THEN NULL ELSE date('2026-01-01', '+' || (i % 365) || ' days') END, 1,
       strftime('%Y-%m-%dT%H:%M:%S', '2025-01-01', '+' || (i / 3) || ' minutes') || '.123456+00:00',
       strftime('%Y-%m-%dT%H:%M:%S', '2025-01-01', '+' || (i / 3) || ' minutes') || '.123456+00:00'
FROM n;
ANALYZE;
"""

PG_FILL = f"""
INSERT INTO tasks (user_id, title, description, is_completed, priority, due_date, version, created_at, updated_at)
SELECT 1, 'Task ' || i || CASE i % 7 WHEN 0 THEN ' invoice' WHEN 1 THEN ' report' ELSE ' errand' END,
       CASE WHEN i % 10 = 0 THEN 'Notes for ' || i END, i % 3 = 0, 1 + i % 3,
       CASE WHEN i % 4 = 0 THEN NULL ELSE DATE '2026-01-01' + (i % 365) END, 1,
       TIMESTAMPTZ '2025-01-01 00:00:00.123456+00' + (i / 3) * INTERVAL '1 minute',
       TIMESTAMPTZ '2025-01-01 00:00:00.123456+00' + (i / 3) * INTERVAL '1 minute'
FROM generate_series(1, {TASKS}) AS i;
ANALYZE tasks;
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def request(self, path, data=None, headers=None):
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as res:
                return res.status, res.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def timed(self, path):
        start = time.perf_counter()
        status, body = self.request(path, headers={"HX-Request": "true"})
        elapsed = (time.perf_counter() - start) * 1000
        assert status == 200, (path, status, body[:300])
        return elapsed, body


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def start_server(url, data_dir):
    port = free_port()
    env = dict(os.environ, BIND_ADDR=f"127.0.0.1:{port}", DATABASE_URL=url, DATA_DIR=data_dir,
               JWT_SECRET=secrets.token_urlsafe(48), RUST_LOG="warn", APP_ENV="development")
    proc = subprocess.Popen([BINARY], env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("the server did not start")


def sign_up(client):
    _, page = client.request("/signup")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": "bench@example.com", "password": "bench password 1",
                                   "password_confirm": "bench password 1", "csrf_token": token}).encode()
    status, _ = client.request("/signup", data=form)
    assert status == 303, status


def measure(name, client):
    times, pages, path = [], 0, "/tasks?size=100"
    while path:
        elapsed, body = client.timed(path)
        times.append(elapsed)
        pages += 1
        link = re.search(r'rel="next" href="([^"]+)"', body)
        path = link and link.group(1).replace("&amp;", "&").replace("&#38;", "&")
    last = [client.timed("/tasks?size=100&page=last")[0] for _ in range(20)]
    rows = {
        "first 20 pages": statistics.median(times[:20]),
        "last 20 pages (following Next)": statistics.median(times[-20:]),
        "page=last directly": statistics.median(last),
    }
    for label, q in [("search, 1 in 7 match", "invoice"), ("search, 1 match", "Task 49999 "),
                     ("search, no match", "zzzz-nothing")]:
        rows[label] = statistics.median(client.timed(f"/tasks?size=100&q={urllib.parse.quote(q)}")[0]
                                        for _ in range(20))
    print(f"\n{name}: {pages} pages of 100 walked")
    for label, ms in rows.items():
        print(f"  {label:34} {ms:7.2f} ms median")


def run_sqlite(data_dir):
    db = os.path.join(data_dir, "paging.db")
    proc, base = start_server(f"sqlite://{db}", data_dir)
    try:
        client = Client(base)
        sign_up(client)
        subprocess.run(["sqlite3", db], input=SQLITE_FILL, text=True, check=True)
        measure("SQLite", client)
    finally:
        proc.terminate()
        proc.wait()


def run_postgres(data_dir):
    name = "bench_paging_" + secrets.token_hex(4)
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    proc, base = start_server(url, data_dir)
    try:
        client = Client(base)
        sign_up(client)
        subprocess.run(["psql", url, "-q"], input=PG_FILL, text=True, check=True)
        measure("PostgreSQL", client)
    finally:
        proc.terminate()
        proc.wait()
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE {name} WITH (FORCE)"], check=False)


def main():
    which = sys.argv[1:] or ["sqlite", "postgres"]
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"commit {commit}; {platform.node()}: {os.cpu_count()} cores, {platform.platform()}")
    with tempfile.TemporaryDirectory() as data_dir:
        if "sqlite" in which:
            run_sqlite(data_dir)
        if "postgres" in which:
            run_postgres(data_dir)


if __name__ == "__main__":
    main()
