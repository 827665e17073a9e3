"""Jira's REST API through the jira package, against a Jira on 127.0.0.1 replaying recorded responses."""
from __future__ import annotations

from pathlib import Path

import pytest

from pmo_lib.inputs.exceptions import InputError
from pmo_lib.inputs.sources import pull_workspace
from pmo_lib.inputs.workspace import load_workspace

from ..sourcekit import JiraReplay

USER, TOKEN = "ana@example.com", "api-token-123"
JIRA_YAML = """
timezone: {zone}
sources:
  tables:
    work_items:
      from: jira
      url: {url}
      jql: project = ED ORDER BY key
      user_env: PMO_TEST_JIRA_USER
      token_env: PMO_TEST_JIRA_TOKEN
      columns:
        initiative_id: Journal
      values:
        initiative_id: {{"AEJ:Macro": I1, "AEJ:Micro": I2}}
        item_type: {{Epic: feature}}
"""


def jira_workspace(tiny: Path, url: str, zone: str = "Europe/Berlin") -> Path:
    (tiny / "data" / "work_items.csv").unlink()
    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + JIRA_YAML.format(url=url, zone=zone))
    return tiny


@pytest.fixture(autouse=True)
def _credentials(monkeypatch):
    monkeypatch.setenv("PMO_TEST_JIRA_USER", USER)
    monkeypatch.setenv("PMO_TEST_JIRA_TOKEN", TOKEN)


def table(ws) -> dict[str, list[str]]:
    frame = ws["work_items"].set_index("item_id")
    out = {}
    for key, row in frame.iterrows():
        out[key] = [row.initiative_id, row.item_type] + [
            "" if row[c] is None or row[c] != row[c] else row[c].date().isoformat()
            for c in ("created", "started", "finished")]
    return out


EXPECTED = {
    # resolved 2024-03-12 23:30 at UTC-5, which is 2024-03-13 in Berlin
    "ED-1": ["I1", "feature", "2024-03-01", "2024-03-04", "2024-03-13"],
    # straight from To Do to Done: finished without a start
    "ED-2": ["I2", "defect", "2024-03-02", "", "2024-03-05"],
    # "In Review" is of the In Progress category too, and came first; its changelog is on a second page
    "ED-3": ["I1", "feature", "2024-03-03", "2024-03-06", "2024-03-20"],
    "ED-4": ["I2", "feature", "2024-03-10", "2024-03-11", ""],
    "ED-5": ["I1", "feature", "2024-03-11", "", ""],
}


@pytest.mark.parametrize("deployment", ["Server", "Cloud"])
def test_issues_pages_and_changelogs(tiny, deployment):
    with JiraReplay(deployment=deployment, page_size=2, user=USER, token=TOKEN) as jira:
        ws = load_workspace(jira_workspace(tiny, jira.url), from_sources=True)
    assert table(ws) == EXPECTED
    searches = [r for r in jira.requests if "/search" in r]
    assert len(searches) == 3  # five issues, two a page
    assert any(r.startswith("/rest/api/2/issue/ED-3/changelog") for r in jira.requests)
    assert any("expand=changelog" in r for r in searches)
    record = ws.snapshot["tables"]["work_items"]
    assert record["from"] == "jira" and record["query"] == "project = ED ORDER BY key" and record["source"] == jira.url
    assert any("1 of 3 finished work items (33%) have no start date" in w.message for w in ws.warnings)


def test_timestamps_follow_the_workspace_time_zone(tiny):
    with JiraReplay(user=USER, token=TOKEN) as jira:
        ws = load_workspace(jira_workspace(tiny, jira.url, zone="America/Chicago"), from_sources=True)
    got = table(ws)
    assert got["ED-1"][4] == "2024-03-12"  # 23:30 at UTC-5 is 22:30 in Chicago, still the 12th
    assert got["ED-4"][3] == "2024-03-10"  # 00:30 on the 11th in Berlin is the evening of the 10th in Chicago


def test_wrong_token_is_one_line_without_the_token(tiny, monkeypatch):
    monkeypatch.setenv("PMO_TEST_JIRA_TOKEN", "not-the-token-987")
    with JiraReplay(user=USER, token=TOKEN) as jira:
        with pytest.raises(InputError) as caught:
            load_workspace(jira_workspace(tiny, jira.url), from_sources=True)
    (problem,) = caught.value.problem_list
    assert problem.format() == (f"Jira {jira.url}, table work_items: Jira refused the credentials (HTTP 401); check "
                                "the user and token that user_env and token_env name")
    assert "not-the-token-987" not in str(caught.value)


def test_unreachable_jira_is_one_line(tiny):
    with JiraReplay() as jira:
        url = jira.url
    with pytest.raises(InputError) as caught:
        load_workspace(jira_workspace(tiny, url), from_sources=True)
    (problem,) = caught.value.problem_list
    assert problem.message == f"cannot reach Jira at {url}: the connection failed"


def test_credentials_come_from_the_environment(tiny, monkeypatch):
    monkeypatch.delenv("PMO_TEST_JIRA_TOKEN")
    with pytest.raises(InputError) as caught:
        load_workspace(jira_workspace(tiny, "http://127.0.0.1:9"), from_sources=True)
    (problem,) = caught.value.problem_list
    assert problem.column == "sources.tables.work_items.token_env" and "PMO_TEST_JIRA_TOKEN is not set" in problem.message


def test_issue_keys_name_the_problems(tiny):
    with JiraReplay(user=USER, token=TOKEN) as jira:
        ws = jira_workspace(tiny, jira.url)
        (ws / "pmo.yaml").write_text((ws / "pmo.yaml").read_text().replace('"AEJ:Micro": I2', '"AEJ:Micro": I9'))
        with pytest.raises(InputError) as caught:
            load_workspace(ws, from_sources=True)
    (problem,) = caught.value.problem_list
    assert problem.file == f"Jira {jira.url}" and "(2 rows: issue ED-2, issue ED-4)" in problem.message
    assert "unknown initiative_id" in problem.message and problem.column == "initiative_id (from 'Journal')"


def test_pull_from_jira_then_run_from_the_snapshot(tiny):
    with JiraReplay(user=USER, token=TOKEN) as jira:
        done = pull_workspace(jira_workspace(tiny, jira.url))
    assert done.tables["work_items"]["rows"] == 5
    text = (tiny / "data" / "_sources.json").read_text()
    assert TOKEN not in text and USER not in text
    assert table(load_workspace(tiny)) == EXPECTED


def test_a_jql_error_is_one_line_in_jiras_words(tiny):
    with JiraReplay(user=USER, token=TOKEN) as jira:
        ws = jira_workspace(tiny, jira.url)
        (ws / "pmo.yaml").write_text((ws / "pmo.yaml").read_text().replace("project = ED", "BROKEN % project"))
        with pytest.raises(InputError) as caught:
            load_workspace(ws, from_sources=True)
    (problem,) = caught.value.problem_list
    assert problem.message.startswith("Jira answered HTTP 400: Error in the JQL Query: The character '%' is a reserved")
    assert "\n" not in problem.format() and "Authorization" not in problem.format()
