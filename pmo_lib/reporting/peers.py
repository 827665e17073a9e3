"""The maturity report's section "How you compare": the peer comparison in words and as a table."""
from __future__ import annotations

import pandas as pd

from ..analysis.benchmark import MIN_PEERS
from ..inputs import i18n
from ..inputs.i18n import gettext, ngettext
from .report import esc


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else gettext("{first} and {last}").format(first=", ".join(names[:-1]),
                                                                                  last=names[-1])


def _pct(value: float) -> str:
    """A percentile rank (0–100) as a percentage in the report's locale."""
    return f"{value:.0f}%" if i18n.current_locale() is None else i18n.percent(value / 100)


def _names(frame: pd.DataFrame) -> list[str]:
    return [esc(gettext(d)) for d in frame["dimension"]]


def peer_shortfall(comparison: pd.DataFrame | None, *, cycle: str, min_peers: int = MIN_PEERS) -> str | None:
    """Why the section shows no comparison, in words; ``None`` when it can show one.

    ``comparison`` is :func:`pmo_lib.compare_with_peers`, or ``None`` when the
    workspace names no peer file.
    """
    if comparison is None:
        return gettext("No peer comparison: the workspace names no peer file. Gather other organisations' anonymised "
                       "score exports into one file and name it in the <b>benchmark</b> setting of the workspace "
                       "configuration, with the organisation's <b>sector</b>, to compare each dimension with theirs.")
    most = int(comparison["n_peers"].max()) if len(comparison) else 0
    if most < min_peers:
        has = gettext("has {count}").format(count=most) if most else gettext("has none")
        return ngettext("No peer comparison yet: a comparison needs scores of at least {count} peer organisation from "
                        "{cycle} or earlier, and the peer file {has}. Nothing about the peers is shown until there are "
                        "enough, so that no one organisation can be recognised.",
                        "No peer comparison yet: a comparison needs scores of at least {count} peer organisations from "
                        "{cycle} or earlier, and the peer file {has}. Nothing about the peers is shown until there are "
                        "enough, so that no one organisation can be recognised.", min_peers).format(
            count=i18n.number(min_peers), cycle=esc(cycle), has=has)
    return None


def peer_summary(comparison: pd.DataFrame, *, organisation: str, sector: str | None = None,
                 min_peers: int = MIN_PEERS) -> str:
    """Where the organisation leads and lags its peers, in plain words (markdown).

    A dimension *leads* when its score is above the peers' upper quartile
    (ahead of three in four peers), and *lags* when it is below their lower
    quartile. Only dimensions with at least ``min_peers`` peers are named.
    """
    shown = comparison.dropna(subset=["percentile"])
    if shown.empty:
        return ""
    n = int(shown["n_peers"].max())
    lead = shown[shown["score"] > shown["peer_q3"]].sort_values("percentile", ascending=False)
    lag = shown[shown["score"] < shown["peer_q1"]].sort_values("percentile")
    best = shown.sort_values("percentile", ascending=False).iloc[0]
    worst = shown.sort_values("percentile").iloc[0]
    said = {"peers": ngettext("{count} peer organisation", "{count} peer organisations", n).format(
                count=i18n.number(n)),
            "organisation": esc(organisation),
            "lead": _listed(_names(lead)) if len(lead) else "",
            "lead_ranks": _listed([_pct(p) for p in lead["percentile"]]) if len(lead) else "",
            "lag": _listed(_names(lag)) if len(lag) else "",
            "lag_ranks": _listed([_pct(p) for p in lag["percentile"]]) if len(lag) else "",
            "best": esc(gettext(best["dimension"])), "best_rank": _pct(best["percentile"]),
            "worst": esc(gettext(worst["dimension"])), "worst_rank": _pct(worst["percentile"])}
    if len(lead) and len(lag):
        text = gettext("Compared with {peers}, {organisation} leads its peers in {lead} (ahead of {lead_ranks} of "
                       "them), and lags them in {lag} (ahead of only {lag_ranks}).")
    elif len(lead):
        text = gettext("Compared with {peers}, {organisation} leads its peers in {lead} (ahead of {lead_ranks} of "
                       "them); on no dimension are three in four peers ahead of it, and its weakest standing is in "
                       "{worst} (ahead of {worst_rank} of them).")
    elif len(lag):
        text = gettext("Compared with {peers}, {organisation} is not ahead of three in four peers on any dimension; "
                       "its strongest standing is in {best} (ahead of {best_rank} of them), and lags them in {lag} "
                       "(ahead of only {lag_ranks}).")
    else:
        text = gettext("Compared with {peers}, {organisation} is not ahead of three in four peers on any dimension; "
                       "its strongest standing is in {best} (ahead of {best_rank} of them); on no dimension are three "
                       "in four peers ahead of it, and its weakest standing is in {worst} (ahead of {worst_rank} of "
                       "them).")
    text = text.format(**said)
    if not sector:
        return text + " " + gettext("No sector is set for the organisation, so there is no comparison within a "
                                    "sector.")
    in_sector = comparison.dropna(subset=["sector_percentile"])
    if in_sector.empty:
        most = int(comparison["n_sector_peers"].max())
        return text + " " + ngettext("Within {sector} the peer file has {count} peer; a comparison within the sector "
                                     "needs {need}, so none is shown.",
                                     "Within {sector} the peer file has {count} peers; a comparison within the sector "
                                     "needs {need}, so none is shown.", most).format(
            sector=esc(sector), count=i18n.number(most), need=min_peers)
    top = in_sector.sort_values("sector_percentile", ascending=False).iloc[0]
    low = in_sector.sort_values("sector_percentile").iloc[0]
    peers = int(in_sector["n_sector_peers"].max())
    return text + " " + ngettext("Within {sector} ({count} peer), it stands highest in {top} (ahead of {top_rank}) and "
                                 "lowest in {low} (ahead of {low_rank}).",
                                 "Within {sector} ({count} peers), it stands highest in {top} (ahead of {top_rank}) "
                                 "and lowest in {low} (ahead of {low_rank}).", peers).format(
        sector=esc(sector), count=i18n.number(peers), top=esc(gettext(top["dimension"])),
        top_rank=_pct(top["sector_percentile"]), low=esc(gettext(low["dimension"])),
        low_rank=_pct(low["sector_percentile"]))


def peer_table(comparison: pd.DataFrame, *, sector: str | None = None) -> tuple[pd.DataFrame, dict, dict]:
    """The comparison as a report table: the frame, its formats and its column labels for :func:`pmo_lib.table`.

    The sector columns are left out when no dimension has enough peers in the sector. The dimensions' names are
    in the report's language (a copy for display: never record it).
    """
    columns = ["dimension", "score", "peer_q1", "peer_median", "peer_q3", "percentile"]
    labels = {"dimension": gettext("Dimension"), "score": gettext("Score"), "peer_q1": gettext("Peers' lower quartile"),
              "peer_median": gettext("Peer median"), "peer_q3": gettext("Peers' upper quartile"),
              "percentile": gettext("Percentile rank among all peers")}
    if sector and comparison["sector_percentile"].notna().any():
        columns += ["sector_median", "sector_percentile"]
        labels.update(sector_median=gettext("{sector} median").format(sector=sector),
                      sector_percentile=gettext("Percentile rank in {sector}").format(sector=sector))
    formats: dict[str, object] = {c: "{:.2f}" for c in ("score", "peer_q1", "peer_median", "peer_q3", "sector_median")}
    formats.update(percentile=_pct, sector_percentile=_pct)
    return (i18n.translated_columns(comparison[columns], "dimension"), {k: v for k, v in formats.items() if k in columns},
            labels)
