"""Charts in one house style.

Every chart function takes result tables and returns a matplotlib Figure
whose title states the finding. :func:`show_figure` puts the figure into the
notebook as inline SVG with a numbered caption and alt text.
"""
from __future__ import annotations

import html
import io

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

STATUS_COLOURS = {"green": "#2e7d32", "amber": "#e69500", "red": "#c62828", "n/a": "#9e9e9e"}
STATUS_WORDS = {"green": "On track", "amber": "At risk", "red": "Off track", "n/a": "Not rated"}
STATUS_SYMBOLS = {"green": "●", "amber": "▲", "red": "■", "n/a": "○"}
GREY = "#6b6b6b"
FIG_WIDTH = 7.2  # inches: the text width of an A4 page with 2 cm margins


def set_theme(primary: str = "#1f4e79") -> None:
    """Apply the house style: palette, fonts and figure size, for every chart."""
    sns.set_theme(style="whitegrid", context="notebook", font="DejaVu Sans",
                  palette=[primary, "#7f9cb8", "#e69500", "#5b8c5a", "#a05195", "#888888"],
                  rc={"figure.figsize": (FIG_WIDTH, 3.6), "axes.titlesize": 12, "axes.titleweight": "bold",
                      "axes.titlelocation": "left", "axes.labelsize": 10, "xtick.labelsize": 9,
                      "ytick.labelsize": 9, "legend.fontsize": 9, "legend.frameon": False,
                      "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "path",
                      "figure.dpi": 100, "savefig.bbox": "tight"})


def show_figure(fig: plt.Figure, caption: str, *, alt: str | None = None):
    """Display ``fig`` as inline SVG in a captioned figure, and close it.

    The caption is numbered by the report's CSS; ``alt`` (default: the title)
    becomes the image's accessible label.
    """
    from IPython.display import HTML

    title = alt or (fig.axes[0].get_title(loc="left") if fig.axes else caption)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(title)}" ', 1)
    return HTML(f'<figure class="pmo-figure">{svg}<figcaption>{html.escape(caption)}</figcaption></figure>')


def _finish(fig: plt.Figure, ax: plt.Axes, title: str, xlabel: str, ylabel: str) -> plt.Figure:
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    return fig


def maturity_bars(dimensions: pd.DataFrame, *, scale: tuple[int, int], previous: pd.DataFrame | None = None,
                  primary: str = "#1f4e79") -> plt.Figure:
    """Horizontal bars of dimension scores against their targets.

    Parameters
    ----------
    dimensions : DataFrame
        From :func:`pmo_lib.score_dimensions` (``dimension, score, target``).
    scale : tuple of int
        The answer scale (min, max), for the axis.
    previous : DataFrame, optional
        Last cycle's scores, drawn as open markers.
    """
    data = dimensions.iloc[::-1]
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.42 * len(data) + 1.2))
    y = np.arange(len(data))
    ax.barh(y, data["score"] - scale[0], left=scale[0], color=primary, height=0.6, label="This cycle")
    ax.scatter(data["target"], y, marker="|", s=400, color="#c62828", linewidths=2, label="Target", zorder=3)
    if previous is not None:
        prev = data[["dimension_id"]].merge(previous[["dimension_id", "score"]], how="left")
        ax.scatter(prev["score"], y, marker="o", facecolors="white", edgecolors=GREY, s=36,
                   label="Previous cycle", zorder=4)
    for yi, score in zip(y, data["score"]):
        if pd.notna(score):
            ax.text(score - 0.05, yi, f"{score:.2f}", va="center", ha="right", fontsize=8, color="white")
    ax.set_yticks(y, data["dimension"])
    ax.set_xlim(scale[0], scale[1] + 0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / len(data)), ncol=3)
    met = int((dimensions["score"] >= dimensions["target"]).sum())
    title = f"{met} of {len(dimensions)} dimensions reach their target"
    ax.grid(axis="y", visible=False)
    return _finish(fig, ax, title, f"Mean score ({scale[0]}–{scale[1]} scale)", "")


def trend_lines(history: pd.DataFrame, *, value: str, label: str, title: str, ylabel: str,
                target: float | None = None, percent: bool = False) -> plt.Figure:
    """A line over the planning cycles, with an optional target line.

    ``history`` has a ``cycle`` column in cycle order and the ``value`` column.
    """
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.0))
    x = np.arange(len(history))
    ax.plot(x, history[value], marker="o", label=label)
    if target is not None and np.isfinite(target):
        ax.axhline(target, color="#c62828", linestyle="--", linewidth=1, label=f"Target {target:g}"
                   if not percent else f"Target {target:.0%}")
    ax.set_xticks(x, history["cycle"])
    if percent:
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(loc="best")
    return _finish(fig, ax, title, "Planning cycle", ylabel)


def kpi_small_multiples(history: pd.DataFrame, kpi_ids: list[str], *, title: str) -> plt.Figure:
    """One small line chart per KPI over the cycles, with its target.

    ``history`` comes from :func:`pmo_lib.kpi_history`.
    """
    n = len(kpi_ids)
    cols = 3
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(FIG_WIDTH, 2.1 * rows + 0.5), squeeze=False)
    cycles = list(dict.fromkeys(history["cycle"]))
    x = np.arange(len(cycles))
    for ax, kpi_id in zip(axes.flat, kpi_ids):
        data = history[history["kpi_id"] == kpi_id].set_index("cycle").reindex(cycles)
        spec = data.dropna(subset=["name"]).iloc[0]
        factor = 100 if spec["unit"] == "share" else 1
        ax.plot(x, data["value"] * factor, marker="o", markersize=3)
        if pd.notna(spec["target"]):
            ax.axhline(spec["target"] * factor, color="#c62828", linestyle="--", linewidth=0.8)
        unit = {"share": "%", "ratio": "ratio", "days": "days", "count": "items", "points": "points",
                "currency": "money"}[spec["unit"]]
        ax.set_title(spec["name"], fontsize=9, fontweight="bold")
        ax.set_ylabel(unit, fontsize=8)
        ax.set_xticks(x, [c if i in (0, len(cycles) - 1) else "" for i, c in enumerate(cycles)], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    fig.tight_layout()
    return fig


def goal_mix_bars(mix: pd.DataFrame, *, primary: str = "#1f4e79") -> plt.Figure:
    """Each goal's share of the cycle's spend against its target share.

    ``mix`` comes from :func:`pmo_lib.goal_mix`.
    """
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.45 * len(mix) + 1.3))
    data = mix.iloc[::-1].reset_index(drop=True)
    y = np.arange(len(data))
    ax.barh(y, data["share"], color=[STATUS_COLOURS["red"] if b else primary for b in data["breach"]], height=0.6)
    ax.scatter(data["target_share"], y, marker="|", s=400, color="black", linewidths=2, zorder=3, label="Target share")
    for yi, row in data.iterrows():
        mark = "  ■ outside tolerance" if row["breach"] else ""
        right = max(row["share"], 0 if pd.isna(row["target_share"]) else row["target_share"])
        ax.text(right + 0.008, yi, f"{row['share']:.0%}{mark}", va="center", fontsize=9)
    ax.set_yticks(y, data["label"])
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_xlim(0, max(data["share"].max(), data["target_share"].max(skipna=True) or 0) * 1.6)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1)
    breaches = int(mix["breach"].sum())
    title = ("Spend matches the target goal mix" if breaches == 0 else
             f"{breaches} goal{'s' if breaches > 1 else ''} outside the spend guardrail")
    ax.grid(axis="y", visible=False)
    return _finish(fig, ax, title, "Share of the cycle's spend", "")


def performance_scatter(per_initiative: pd.DataFrame, *, cpi_red: float, spi_red: float) -> plt.Figure:
    """CPI against SPI per initiative, sized by budget at completion.

    ``per_initiative`` has columns ``initiative_id, cpi, spi, bac``.
    """
    data = per_initiative.dropna(subset=["cpi", "spi"])
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 4.0))
    sizes = 20 + 200 * data["bac"] / data["bac"].max()
    off = (data["cpi"] < cpi_red) | (data["spi"] < spi_red)
    ax.scatter(data.loc[~off, "spi"], data.loc[~off, "cpi"], s=sizes[~off], alpha=0.6, label="Within thresholds")
    ax.scatter(data.loc[off, "spi"], data.loc[off, "cpi"], s=sizes[off], marker="s",
               color=STATUS_COLOURS["red"], alpha=0.8, label="Below a red threshold")
    for row in data[off].itertuples():
        ax.annotate(row.initiative_id, (row.spi, row.cpi), xytext=(6, -3), textcoords="offset points", fontsize=8)
    ax.axhline(1, color=GREY, linewidth=0.8)
    ax.axvline(1, color=GREY, linewidth=0.8)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    title = ("Every initiative is within its cost and schedule thresholds" if not off.any() else
             f"{int(off.sum())} initiative{'s' if off.sum() > 1 else ''} below a cost or schedule threshold")
    return _finish(fig, ax, title, "Schedule performance index (SPI)", "Cost performance index (CPI)")


def trend_title(frame: pd.DataFrame, *, value: str, what: str) -> str:
    """A title that states how a series moved over the cycles."""
    series = frame.dropna(subset=[value])
    if len(series) < 2:
        return f"{what}: one cycle so far, no trend yet"
    first, last = series.iloc[0], series.iloc[-1]
    delta = last[value] - first[value]
    verb = "rose" if delta > 0 else "fell" if delta < 0 else "held"
    return (f"{what} {verb} from {first[value]:.2f} to {last[value]:.2f} "
            f"between {first['cycle']} and {last['cycle']}")


def kpi_trend_title(history: pd.DataFrame, kpi_ids: list[str], *, directions: dict[str, str]) -> str:
    """Title for KPI small multiples: how many improved between the first and last cycle.

    ``directions`` maps each kpi_id to ``"higher"`` or ``"lower"`` (is better).
    """
    improved = compared = 0
    cycles = list(dict.fromkeys(history["cycle"]))
    for kpi_id in kpi_ids:
        series = history[history["kpi_id"] == kpi_id].dropna(subset=["value"])
        if len(series) < 2:
            continue
        compared += 1
        delta = series["value"].iloc[-1] - series["value"].iloc[0]
        improved += int(delta > 0 if directions.get(kpi_id, "higher") == "higher" else delta < 0)
    if compared == 0:
        return "Too few cycles to show a trend"
    return f"{improved} of {compared} headline KPIs improved between {cycles[0]} and {cycles[-1]}"
