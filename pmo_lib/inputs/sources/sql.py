"""SQL databases through SQLAlchemy: SQLite inside the workspace, PostgreSQL through psycopg, any other dialect."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import CONFIG_FILE
from ..exceptions import _Collector
from .mapping import Secrets, SourceRows, expand_env, public_url

CONNECT_TIMEOUT = 10  # seconds before an unreachable server counts as unreachable


def _first_line(exc: BaseException, secrets: Secrets) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return secrets.mask(text[0].strip() if text else type(orig).__name__)


class Database:
    """One database named in pmo.yaml, connected once for every table read from it."""

    def __init__(self, written: str, *, key: str, workspace: Path, secrets: Secrets, issues: _Collector,
                 config_file: str, line: int | None) -> None:
        self.written = written
        self.public = secrets.mask(public_url(written))
        self.key, self.workspace, self.secrets, self.issues = key, workspace, secrets, issues
        self.config_file, self.line = config_file, line
        self._engine: Any = None
        self._failed = False
        self._names: set[str] | None = None

    def engine(self, table: str) -> Any:
        """The SQLAlchemy engine, or ``None`` (reported once) when the database cannot be reached."""
        if self._engine is not None or self._failed:
            return self._engine
        import sqlalchemy as sa
        from sqlalchemy.engine import make_url

        self._failed = True
        url_text = expand_env(self.written, self.key, self.secrets, self.issues, self.config_file, self.line)
        if url_text is None:
            return None
        try:
            url = make_url(url_text)
        except Exception:  # ArgumentError and friends; the text may hold a secret, so it is not repeated
            self.issues.add(self.config_file, CONFIG_FILE, "not a database URL such as sqlite:///portfolio.db or "
                            "postgresql://user:${PASSWORD}@host/database", row=self.line, column=self.key,
                            value=self.public)
            return None
        connect_args: dict[str, Any] = {}
        if url.get_backend_name() == "sqlite":
            database = url.database or ""
            if database in ("", ":memory:"):
                self.issues.add(self.config_file, CONFIG_FILE, "an SQLite URL must name a file, e.g. "
                                "sqlite:///portfolio.db", row=self.line, column=self.key, value=self.public)
                return None
            path = Path(database) if Path(database).is_absolute() else self.workspace / database
            if not path.is_file():
                self.issues.add(self.public, table, f"the database file {path} does not exist")
                return None
            url = url.set(database=f"file:{path.resolve()}?mode=ro", query={"uri": "true"})  # read only, never created
        elif url.get_backend_name() == "postgresql":
            if url.get_driver_name() in ("", "psycopg2"):
                url = url.set(drivername="postgresql+psycopg")
            connect_args["connect_timeout"] = CONNECT_TIMEOUT
        try:
            engine = sa.create_engine(url, connect_args=connect_args, poolclass=sa.pool.NullPool)
            with engine.connect() as conn:
                inspector = sa.inspect(conn)
                self._names = set(inspector.get_table_names()) | set(inspector.get_view_names())
        except Exception as exc:  # the driver's own errors (unreachable, refused, wrong password)
            if type(exc).__name__ in ("NoSuchModuleError",):
                message = f"no SQLAlchemy driver for {url.drivername!r}; install it with pip"
            else:
                message = f"cannot connect to the database: {_first_line(exc, self.secrets)}"
            self.issues.add(self.public, table, message)
            return None
        self._failed = False
        self._engine = engine
        return engine

    def has_table(self, name: str) -> bool:
        return self._names is not None and name in self._names

    def read(self, table: str, *, name: str | None = None, query: str | None = None,
             date_format: str | None = None) -> SourceRows | None:
        """Read a database table (ordered by its primary key) or the rows of a query."""
        import sqlalchemy as sa

        engine = self.engine(table)
        if engine is None:
            return None
        label = f"{self.public} table {name}" if name is not None else f"{self.public} query for {table}"
        key_columns: list[str] = []
        try:
            with engine.connect() as conn:
                if name is not None:
                    schema, _, bare = name.rpartition(".")
                    if not self.has_table(name) and not (schema and sa.inspect(conn).has_table(bare, schema=schema)):
                        self.issues.add(label, table, f"the database has no table {name!r}")
                        return None
                    source = sa.Table(bare, sa.MetaData(), schema=schema or None, autoload_with=conn)
                    key_columns = [c.name for c in source.primary_key.columns]
                    order = [source.c[c] for c in key_columns] or list(source.c)
                    statement: Any = sa.select(source).order_by(*order)
                    written = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
                else:
                    statement = sa.text(query or "")
                    written = query or ""
                result = conn.execute(statement)
                header = [str(k) for k in result.keys()]
                records = [{h: ([] if v is None else [v]) for h, v in zip(header, row)} for row in result]
        except Exception as exc:  # driver and SQL errors: one line, the source named, secrets masked
            self.issues.add(label, table, f"the {'query' if query else 'table'} cannot be read: "
                            f"{_first_line(exc, self.secrets)}")
            return None
        return SourceRows(label, header, records, [""] * len(records),
                          {"from": "sql", "source": self.public, "table": name,
                           "query": " ".join(written.split())},
                          key_columns=key_columns, date_format=date_format)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
