"""Jira's REST API through the ``jira`` package: issues of a JQL search, with their changelogs.

``started`` is the first change, in an issue's changelog, into a status whose status
category is "In Progress" (key ``indeterminate``); ``finished`` is the resolution
date. The search pages through every issue (``startAt`` on Jira Server and Data
Center, ``nextPageToken`` on Jira Cloud).
"""
from __future__ import annotations

from typing import Any

from ..exceptions import _Collector
from .mapping import JIRA_STARTED, Secrets, SourceRows

IN_PROGRESS = "indeterminate"  # the statusCategory key of "In Progress"
TIMEOUT = 30  # seconds for one request
_SYSTEM = {"Issue key": None, "Issue Type": "issuetype", "Created": "created", "Resolved": "resolutiondate",
           "Status": "status", "Summary": "summary"}


def _flat(value: Any) -> list[Any]:
    """A Jira field's value as plain values: an option's value, a user's name, each element of a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return [v for item in value for v in _flat(item)]
    if isinstance(value, dict):
        for key in ("value", "name", "displayName", "key"):
            if value.get(key) is not None:
                return [value[key]]
        return []
    return [value]


def _problem(exc: BaseException, public: str, secrets: Secrets) -> str:
    """One line saying why Jira could not be read; never the request (its headers hold the credentials)."""
    status = getattr(exc, "status_code", None)
    if status in (401, 403):
        return (f"Jira refused the credentials (HTTP {status}); check the user and token that user_env and "
                "token_env name")
    if status is not None:
        text = str(getattr(exc, "text", "") or "").strip().splitlines()
        return secrets.mask(f"Jira answered HTTP {status}" + (f": {text[0]}" if text else ""))
    name = type(exc).__name__
    if "Connection" in name or "Timeout" in name or "MaxRetry" in name:
        return f"cannot reach Jira at {public}" + (": the request timed out" if "Timeout" in name else
                                                   ": the connection failed")
    return secrets.mask(f"Jira could not be read: {name}")


def read_jira(url: str, public: str, jql: str, user: str | None, token: str | None, columns: dict[str, str],
              table: str, secrets: Secrets, issues: _Collector) -> SourceRows | None:
    """Read the issues of ``jql`` with the fields that ``columns`` names, and each issue's start from its changelog."""
    from jira import JIRA

    label = f"Jira {public}"
    auth: dict[str, Any] = {}
    if user and token:
        auth["basic_auth"] = (user, token)
    elif token:
        auth["token_auth"] = token
    try:
        client = JIRA(server=url, max_retries=0, timeout=TIMEOUT, **auth)
    except Exception as exc:  # noqa: BLE001 -- the jira package raises JIRAError and requests' errors
        issues.add(label, table, _problem(exc, public, secrets))
        return None
    try:
        categories = {str(s.raw["id"]): s.raw.get("statusCategory", {}).get("key") for s in client.statuses()}
        fields = client.fields()
        by_name = {str(f["name"]).casefold(): str(f["id"]) for f in fields}
        by_id = {str(f["id"]): str(f["name"]) for f in fields}
        wanted: dict[str, str] = {}  # source column as written -> field id
        for written in columns.values():
            if written in _SYSTEM or written == JIRA_STARTED:
                continue
            field_id = written if written in by_id else by_name.get(written.casefold())
            if field_id is None:
                issues.add(label, table, f"Jira has no field {written!r}")
                continue
            wanted[written] = field_id
        requested = sorted({f for f in _SYSTEM.values() if f} | set(wanted.values()))
        found = client.search_issues(jql, maxResults=False, fields=requested, expand="changelog")
        records: list[dict[str, list[Any]]] = []
        positions: list[str] = []
        for issue in found:
            raw = issue.raw
            values = raw.get("fields", {})
            histories = _histories(client, raw)
            record: dict[str, list[Any]] = {"Issue key": [raw["key"]]}
            for name, field_id in _SYSTEM.items():
                if field_id:
                    record[name] = _flat(values.get(field_id))
            record[JIRA_STARTED] = _started(histories, categories)
            for written, field_id in wanted.items():
                record[written] = _flat(values.get(field_id))
            records.append(record)
            positions.append("")
    except Exception as exc:  # noqa: BLE001 -- as above
        issues.add(label, table, _problem(exc, public, secrets))
        return None
    finally:
        client.close()
    header = list(_SYSTEM) + [JIRA_STARTED] + list(wanted)
    return SourceRows(label, header, records, positions, {"from": "jira", "source": public, "query": jql},
                      key_word="issue")


def _histories(client: Any, raw: dict[str, Any]) -> list[dict[str, Any]]:
    """Every change of an issue; the search gives at most a page of them, the rest come from the issue's changelog."""
    changelog = raw.get("changelog") or {}
    histories = list(changelog.get("histories") or [])
    total = int(changelog.get("total") or len(histories))
    while len(histories) < total:
        page = client._get_json(f"issue/{raw['key']}/changelog", params={"startAt": len(histories), "maxResults": 100})
        more = page.get("values") or page.get("histories") or []
        if not more:
            break
        histories.extend(more)
    return histories


def _started(histories: list[dict[str, Any]], categories: dict[str, str | None]) -> list[Any]:
    """The time of the first change into an "In Progress" status, or nothing when there was none."""
    moves: list[str] = []
    for history in histories:
        for item in history.get("items") or []:
            if item.get("field") == "status" and categories.get(str(item.get("to"))) == IN_PROGRESS \
                    and history.get("created"):
                moves.append(str(history["created"]))
    return [min(moves, key=_instant)] if moves else []


def _instant(text: str) -> Any:
    import datetime as dt

    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return dt.datetime.max.replace(tzinfo=dt.timezone.utc)
