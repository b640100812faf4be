"""Intake under load, and what survives `kill -9` (loopback only, bounded in time and count).

    python bench/intake_load.py                # throughput and latency, then a count
    python bench/intake_load.py --kill         # kill -9 the server mid-load, restart, count
    python bench/intake_load.py --database postgresql --workers 2
    python bench/intake_load.py --database postgresql --restart-db   # PostgreSQL restarted mid-load
    python bench/intake_load.py --compare      # SQLite and PostgreSQL, 1 and 2 workers, ratios
    python bench/intake_load.py --compare --database-url postgresql://postgres@127.0.0.1:54330/postgres
                                               # PostgreSQL runs on that server (a fresh database each)

Starts `canhgiac serve` (gunicorn, SQLite in a fresh data folder, the default settings but
with the public rate limit raised: this measures capacity, not the limiter) and sends
JSON intakes from concurrent keep-alive clients: wrk (Debian's, `apt-get install wrk`)
when it is there, since a load generator in Python takes a core from the server on a
two-core machine; else Python threads. Every reference a 2xx answer carried must be in
the database afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = [
    "Tối nào cũng có nhóm thanh niên tụ tập hút ma túy ở cuối hẻm {i}, sau 11 giờ đêm.",
    "Chuc mung ban trung thuong xe SH, nhan qua tai qua-tang-{i}.top truoc 17h",
    "Cho em hỏi đăng ký tạm trú cho người thuê trọ số {i} cần giấy tờ gì ạ?",
    "Nhà số {i} thôn Đông vừa bị trộm cạy cửa lấy mất xe máy đêm qua.",
    "So 09{i:08d} goi xung cong an bao chuyen tien, co phai lua dao khong?",
]


class SharedPostgres:
    """A fresh database on a server already running (--database-url), dropped afterwards.
    Never stopped: --restart-db needs the private cluster."""

    def __init__(self, server_url: str) -> None:
        import secrets

        import psycopg

        self.server = server_url
        self.name = f"canhgiac_bench_{secrets.token_hex(4)}"
        with psycopg.connect(server_url, autocommit=True) as db:
            db.execute(f"CREATE DATABASE {self.name}")
        self.url = server_url.rsplit("/", 1)[0] + "/" + self.name

    def stop(self, mode: str = "fast") -> None:
        raise SystemExit("--restart-db stops PostgreSQL: it needs the private cluster, not --database-url")

    def start(self) -> None:
        self.stop()

    def destroy(self) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True) as db:
            db.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


class Postgres:
    """A private PostgreSQL cluster in a temporary folder (Debian's binaries), as ./dev test makes."""

    def __init__(self, port: int = 54331) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = Path(found[-1]).parent
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="canhgiac-bench-pg-"))
        self.runas = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if self.runas:
            shutil.chown(self.dir, "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")
        self.start()
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.runas, str(self.bin / tool), *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def start_server(data_dir: Path, port: int, workers: int = 0, database_url: str = "") -> subprocess.Popen[bytes]:
    env = dict(os.environ, CANHGIAC_DEV="1", CANHGIAC_DATA_DIR=str(data_dir), CANHGIAC_INTAKE_RATE="100000000", LOG_LEVEL="WARNING")
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "canhgiac.cli", "serve", "--demo", "--port", str(port), *(["--workers", str(workers)] if workers else [])],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: a pipe nobody reads fills up and blocks the server's logging.
        stderr=(data_dir / "server.log").open("ab"),
        start_new_session=True,  # its own process group: kill -9 takes the workers too
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("server did not start: " + (data_dir / "server.log").read_text(errors="replace")[-3000:])


class Load:
    def __init__(self, port: int, clients: int, seconds: float, limit: int) -> None:
        self.port = port
        self.clients = clients
        self.deadline = time.monotonic() + seconds
        self.limit = limit
        self.lock = threading.Lock()
        self.sent = 0
        self.accepted: list[str] = []
        self.latencies: list[float] = []
        self.errors = 0
        self.stop = threading.Event()

    def worker(self, number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        i = number
        while not self.stop.is_set() and time.monotonic() < self.deadline:
            with self.lock:
                if self.sent >= self.limit:
                    return
                self.sent += 1
            body = json.dumps({"channel": "an-phu-api", "text": MESSAGES[i % len(MESSAGES)].format(i=i)})
            i += self.clients
            start = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/intake", body=body.encode(), headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                time.sleep(0.05)
                continue
            elapsed = time.perf_counter() - start
            with self.lock:
                if 200 <= response.status < 300:
                    self.accepted.append(json.loads(data)["reference"])
                    self.latencies.append(elapsed)
                else:
                    self.errors += 1

    def run(self) -> float:
        threads = [threading.Thread(target=self.worker, args=(n,)) for n in range(self.clients)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - start


WRK_SCRIPT = r"""
local counter = 0
local salt = 0
local file
init = function(args)
  salt = math.random(1, 1000000)
  file = io.open(args[1] .. "/refs-" .. tostring({}):gsub("table: ", "") .. ".txt", "w")
end
request = function()
  counter = counter + 1
  local body = '{"channel": "an-phu-api", "text": "Toi nao cung co nhom thanh nien tu tap hut ma tuy o cuoi hem ' .. salt .. '-' .. counter .. ' sau 11 gio dem"}'
  return wrk.format("POST", "/api/v1/intake", {["Content-Type"] = "application/json"}, body)
end
response = function(status, headers, body)
  if status >= 200 and status < 300 then
    local ref = string.match(body, '"reference": "([^"]+)"')
    if ref then file:write(ref, "\n"); file:flush() end
  end
end
"""


def run_wrk(port: int, clients: int, seconds: float, work: Path) -> tuple[float, list[str], dict[str, float], int]:
    script = work / "intake.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    start = time.perf_counter()
    done = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{clients}",
            f"-d{int(seconds)}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
            "--",
            str(work),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    refs = [line.strip() for f in glob.glob(str(work / "refs-*.txt")) for line in Path(f).read_text().splitlines() if line.strip()]
    percentiles = {}
    for label, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)$", done.stdout, re.M):
        percentiles[label] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", done.stdout))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return elapsed, refs, percentiles, errors


def stored_references(data_dir: Path, database_url: str = "") -> set[str]:
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as db:
            return {row[0] for row in db.execute("SELECT reference FROM cases_case")}
    with sqlite3.connect(data_dir / "canhgiac.sqlite3") as db:
        return {row[0] for row in db.execute("SELECT reference FROM cases_case")}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] if ordered else 0.0


def run_once(args: argparse.Namespace, database: str, workers: int, kill: bool = False, restart_db: bool = False) -> dict[str, float]:
    """One load run against a fresh server; returns the figures and the count."""
    data_dir = Path(tempfile.mkdtemp(prefix="canhgiac-bench-"))
    if restart_db and args.database_url:
        raise SystemExit("--restart-db stops PostgreSQL: it needs the private cluster, not --database-url")
    pg: Postgres | SharedPostgres | None = None
    if database == "postgresql":
        pg = SharedPostgres(args.database_url) if args.database_url else Postgres()
    url = pg.url if pg else ""
    try:
        server = start_server(data_dir, args.port, workers, url)
        before = stored_references(data_dir, url)
        load = Load(args.port, args.clients, args.seconds, args.limit)
        if kill:

            def killer() -> None:
                time.sleep(args.seconds / 2)
                os.killpg(server.pid, signal.SIGKILL)
                print(f"kill -9 of every server process at {args.seconds / 2:.0f}s", flush=True)

            threading.Thread(target=killer, daemon=True).start()
        if restart_db and pg is not None:

            def restarter() -> None:
                time.sleep(args.seconds / 3)
                pg.stop("fast")
                print(f"PostgreSQL stopped at {args.seconds / 3:.0f}s", flush=True)
                time.sleep(3)
                pg.start()
                print("PostgreSQL started again 3 s later", flush=True)

            threading.Thread(target=restarter, daemon=True).start()
        if shutil.which("wrk") and not args.python_client:
            elapsed, references, latency, errors = run_wrk(args.port, args.clients, args.seconds, data_dir)
            client = "wrk"
        else:
            elapsed = load.run()
            references, errors, client = load.accepted, load.errors, "Python threads"
            latency = {"50": percentile(load.latencies, 50) * 1000, "99": percentile(load.latencies, 99) * 1000}
        if kill:
            server.wait()
            time.sleep(1)
            server = start_server(data_dir, args.port, workers, url)
            # What a client resent after the crash is new; count what was acknowledged.
        if restart_db:
            # After the restart the site answers again: one more intake must go through.
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
            body = json.dumps({"channel": "an-phu-api", "text": "Sau khi cơ sở dữ liệu khởi động lại: trộm xe ở chợ"})
            conn.request("POST", "/api/v1/intake", body, {"Content-Type": "application/json"})
            answer = conn.getresponse()
            print(f"an intake after the restart: HTTP {answer.status}")
            if 200 <= answer.status < 300:
                references = [*references, json.loads(answer.read())["reference"]]
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        stored = stored_references(data_dir, url) - before
    finally:
        if pg is not None:
            pg.destroy()
    accepted = set(references)
    lost = accepted - stored
    name = f"{database}, {workers or 'default'} worker(s)"
    print(
        f"[{name}] {len(accepted)} accepted in {elapsed:.1f}s, {args.clients} connections ({client}): {len(accepted) / elapsed:,.0f} messages/s"
    )
    print(f"[{name}] latency: p50 {latency.get('50', 0):.1f} ms, p99 {latency.get('99', 0):.1f} ms; errors or refused: {errors}")
    print(f"[{name}] in the database: {len(stored)}; acknowledged but missing: {len(lost)}", flush=True)
    return {"rate": len(accepted) / elapsed, "p50": latency.get("50", 0), "p99": latency.get("99", 0), "lost": len(lost), "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--limit", type=int, default=20000, help="at most this many requests")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workers", type=int, default=0, help="server processes (default: serve's own choice)")
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL runs on this server (postgresql://user@host:port/db) instead of a private cluster"
    )
    parser.add_argument("--kill", action="store_true", help="kill -9 the server half-way, then restart and count")
    parser.add_argument("--restart-db", action="store_true", help="with postgresql: stop it a third of the way in, start it 3 s later")
    parser.add_argument("--compare", action="store_true", help="SQLite and PostgreSQL with 1 and 2 workers, and the ratios")
    parser.add_argument("--python-client", action="store_true", help="use Python threads even when wrk is installed")
    args = parser.parse_args()
    if not args.compare:
        result = run_once(args, args.database, args.workers, args.kill, args.restart_db)
        return 1 if result["lost"] else 0
    table = {(db, w): run_once(args, db, w) for db in ("sqlite", "postgresql") for w in (1, 2)}
    print("\n| database | workers | messages/s | p50 ms | p99 ms | lost |\n|---|---|---|---|---|---|")
    for (db, w), r in table.items():
        print(f"| {db} | {w} | {r['rate']:,.0f} | {r['p50']:.0f} | {r['p99']:.0f} | {r['lost']} |")
    for db in ("sqlite", "postgresql"):
        print(f"{db}: 2 workers / 1 worker = {table[(db, 2)]['rate'] / table[(db, 1)]['rate']:.2f}")
    for w in (1, 2):
        print(f"{w} worker(s): PostgreSQL / SQLite = {table[('postgresql', w)]['rate'] / table[('sqlite', w)]['rate']:.2f}")
    return 1 if any(r["lost"] for r in table.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
