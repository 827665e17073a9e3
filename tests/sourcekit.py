"""Helpers for the sources tests: a PostgreSQL server of our own, a replaying Jira, workspaces in a database."""
from __future__ import annotations

import base64
import contextlib
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, urlparse

import pandas as pd

from pmo_lib.inputs.tables import TABLES

DATA = Path(__file__).parent / "data"
PG_PASSWORD = "s3cret-Pa55word"
PG_USER = "pmo"


def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL server binaries, or ``None`` when the postgresql package is not installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
                   if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else None


def _as_server_user(command: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


@contextlib.contextmanager
def postgres_server() -> Iterator[dict[str, str]]:
    """A PostgreSQL server in a temporary folder, reached only by a Unix socket there; stopped on exit.

    PostgreSQL refuses to run as root, so as root the server runs as ``nobody`` in a
    folder it owns. The superuser ``pmo`` logs in with a password (scram-sha-256).
    """
    binaries = postgres_bin()
    assert binaries is not None
    owner = "nobody" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="pmo-pg-"))  # short: a socket path has at most 107 characters
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    (root / "pw").write_text(PG_PASSWORD + "\n")
    if owner:
        uid, gid = pwd.getpwnam(owner).pw_uid, pwd.getpwnam(owner).pw_gid
        for p in (root, sock, root / "pw"):
            os.chown(p, uid, gid)
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    run = {"check": True, "capture_output": True, "env": env, "cwd": str(root)}
    subprocess.run(_as_server_user([str(binaries / "initdb"), "-D", str(data), "-U", PG_USER, "--pwfile", str(root / "pw"),
                                    "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"], owner), **run)
    options = f"-k {sock} -c listen_addresses='' -c fsync=off"
    subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                    str(root / "log"), "-w", "-t", "60", "start"], owner), **run)
    try:
        yield {"host": str(sock), "user": PG_USER, "password": PG_PASSWORD, "database": "postgres"}
    finally:
        subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                                       owner), capture_output=True, env=env, cwd=str(root))
        shutil.rmtree(root, ignore_errors=True)


def typed(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A workspace table's text as a database would hold it: dates as dates, numbers as numbers, blanks as NULL."""
    spec = TABLES[table]
    out = frame.replace("", None)
    for col in spec.columns:
        if col.name not in out:
            continue
        if col.kind == "date":
            out[col.name] = pd.to_datetime(out[col.name], format="%Y-%m-%d").dt.date
        elif col.kind in ("number", "int"):
            out[col.name] = pd.to_numeric(out[col.name])
    return out


def load_into_database(engine: Any, csv_dir: Path, *, rename: dict[str, str] | None = None,
                       skip: tuple[str, ...] = ()) -> None:
    """Copy every table of a workspace's data/ folder into a database, typed, with a primary key where the kit has one."""
    import sqlalchemy as sa

    rename = rename or {}
    metadata = sa.MetaData()
    kinds = {"date": sa.Date, "number": sa.Numeric(14, 2), "int": sa.Integer, "id": sa.String(64),
             "text": sa.Text, "enum": sa.String(32)}
    with engine.begin() as conn:
        for path in sorted(csv_dir.glob("*.csv")):
            if path.stem in skip:
                continue
            spec = TABLES[path.stem]
            frame = typed(spec.name, pd.read_csv(path, dtype=str, keep_default_na=False))
            columns = [sa.Column(c.name, kinds[c.kind], primary_key=c.name in spec.key)
                       for c in spec.columns if c.name in frame.columns]
            table = sa.Table(rename.get(spec.name, spec.name), metadata, *columns)
            table.create(conn)
            records = [{k: (None if pd.isna(v) else v) for k, v in row.items()}
                       for row in frame.to_dict(orient="records")]
            if records:
                conn.execute(table.insert(), records)


# --------------------------------------------------------------------------- Jira REST, replayed

class JiraReplay:
    """A Jira on 127.0.0.1 that answers from recorded responses (tests/data/jira_rest), as Jira pages them.

    ``deployment`` "Server" serves ``/rest/api/2/search`` (startAt, maxResults, total);
    "Cloud" serves ``/rest/api/2/search/jql`` (nextPageToken). A page holds at most
    ``page_size`` issues whatever the client asks, as Jira caps maxResults. Requests
    without the right basic credentials get 401. ``requests`` records every path asked.
    """

    def __init__(self, *, deployment: str = "Server", page_size: int = 2, user: str = "ana@example.com",
                 token: str = "api-token-123") -> None:
        self.deployment, self.page_size = deployment, page_size
        self.auth = "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()
        self.recorded = {p.stem: json.loads(p.read_text()) for p in (DATA / "jira_rest").glob("*.json")}
        self.requests: list[str] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                replay.requests.append(self.path)
                status, body = replay.answer(self.path, self.headers.get("Authorization"))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> JiraReplay:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, raw_path: str, auth: str | None) -> tuple[int, Any]:
        url = urlparse(raw_path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        path = url.path.removeprefix("/rest/api/2/")
        if path == "serverInfo":
            info = dict(self.recorded["serverInfo"], baseUrl=self.url, deploymentType=self.deployment)
            return 200, info
        if auth != self.auth:
            return 401, {"errorMessages": ["You are not authenticated. Authentication required to perform this "
                                           "operation."], "errors": {}}
        if path in ("status", "field"):
            return 200, self.recorded[path]
        issues = self.recorded["issues"]
        if "BROKEN" in query.get("jql", ""):  # as Jira answers a JQL it cannot parse
            return 400, {"errorMessages": ["Error in the JQL Query: The character '%' is a reserved JQL character. "
                                           "(line 1, character 9)"], "errors": {}}
        if path == "search" and self.deployment == "Server":
            start = int(query.get("startAt", 0))
            size = min(int(query.get("maxResults", 50)), self.page_size)
            return 200, {"expand": "schema,names", "startAt": start, "maxResults": size, "total": len(issues),
                         "issues": [self._issue(i) for i in issues[start:start + size]]}
        if path == "search/jql" and self.deployment == "Cloud":
            start = int(query.get("nextPageToken", "0") or 0)
            size = min(int(query.get("maxResults", 50)), self.page_size)
            page = {"issues": [self._issue(i) for i in issues[start:start + size]], "isLast": start + size >= len(issues)}
            if start + size < len(issues):
                page["nextPageToken"] = str(start + size)
            return 200, page
        if path.startswith("issue/") and path.endswith("/changelog"):
            key = path.split("/")[1]
            histories = next(i for i in issues if i["key"] == key)["changelog"]["histories"]
            start = int(query.get("startAt", 0))
            values = histories[start:start + 2]
            return 200, {"self": f"{self.url}/rest/api/2/issue/{key}/changelog?startAt={start}", "maxResults": 2,
                         "startAt": start, "total": len(histories), "isLast": start + 2 >= len(histories),
                         "values": values}
        return 404, {"errorMessages": [f"no such resource {path}"], "errors": {}}

    @staticmethod
    def _issue(issue: dict[str, Any]) -> dict[str, Any]:
        """An issue as a search returns it: a changelog truncated to its first page when the issue says so."""
        out = json.loads(json.dumps(issue))
        shown = out.pop("changelog_page", None)
        if shown is not None:
            log = out["changelog"]
            log["histories"] = log["histories"][:shown]
            log["maxResults"] = shown
        return out
