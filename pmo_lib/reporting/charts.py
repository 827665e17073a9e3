"""Charts in one house style.

Every chart function takes result tables and returns a matplotlib Figure
whose title states the finding. :func:`show_figure` puts the figure into the
notebook as inline SVG with a numbered caption and alt text.
"""
from __future__ import annotations

import html
import io
import re

import matplotlib
import matplotlib.colors
import matplotlib.pyplot as plt
import matplotlib.text
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from ..inputs import i18n
from ..inputs.config import DEFAULT_FUNDING, DEFAULT_MINIMUMS
from ..inputs.i18n import N_, gettext, ngettext, pgettext
from .theme import GREY, STATUS_COLOURS, STATUS_SYMBOLS, STATUS_WORDS, display_name, plural, role_label  # noqa: F401
FIG_WIDTH = 7.2  # inches: the text width of an A4 page with 2 cm margins


def set_theme(primary: str = "#1f4e79") -> None:
    """Apply the house style: palette, fonts and figure size, for every chart."""
    sns.set_theme(style="whitegrid", context="notebook", font="DejaVu Sans",
                  palette=[primary, "#7f9cb8", "#e69500", "#5b8c5a", "#a05195", "#888888"],
                  rc={"figure.figsize": (FIG_WIDTH, 3.6), "axes.titlesize": 12, "axes.titleweight": "bold",
                      "axes.titlelocation": "left", "axes.labelsize": 10, "xtick.labelsize": 9,
                      "ytick.labelsize": 9, "legend.fontsize": 9, "legend.frameon": False,
                      "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "none",
                      "figure.dpi": 100, "savefig.bbox": "tight"})


#: A scatter of more points than this is drawn as an image inside the SVG, at this resolution (dots per inch):
#: crisp in print, and a fraction of the vector version's rendering time and size.
RASTER_POINTS = 1000
RASTER_DPI = 200


def show_figure(fig: plt.Figure, caption: str, *, alt: str | None = None):
    """Display ``fig`` as inline SVG in a captioned figure, and close it.

    The caption is numbered ("Figure 3.") and styled by :func:`pmo_lib.reporting.report.figure_html`,
    in JupyterLab as in the report; ``alt`` (default: the title) becomes the image's accessible label.
    """
    from IPython.display import HTML

    from .report import figure_html

    title = alt or (fig.axes[0].get_title(loc="left") if fig.axes else caption)
    declutter(fig)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None}, dpi=RASTER_DPI)
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)  # no "Matplotlib v3…" in the text
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(title)}" ', 1)
    return HTML(figure_html(svg, caption))


def _finish(fig: plt.Figure, ax: plt.Axes, title: str, xlabel: str, ylabel: str) -> plt.Figure:
    _fit_title(fig, ax.set_title(title), title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    return fig


def _fit_title(fig: plt.Figure, text: matplotlib.text.Text, title: str) -> None:
    """A translated title that runs past its figure's edge wraps onto more lines.

    A German or French title is often longer than the English one; left on one line it would widen the saved
    figure (its bounding box is tight), which the page then shrinks, labels and all. English titles stay as they are.
    """
    if i18n.current_language() == i18n.SOURCE_LANGUAGE:
        return
    box = text.get_window_extent(fig.canvas.get_renderer())
    width = fig.bbox.width
    if box.x0 >= 0 and box.x1 <= width:
        return
    align = text.get_horizontalalignment()
    if align == "left":
        room = width - box.x0
    elif align == "right":
        room = box.x1
    else:  # centred over its axes, which sit right of the tick labels
        centre = (box.x0 + box.x1) / 2
        room = 2 * min(centre, width - centre)
    longest = max(len(line) for line in text.get_text().split("\n"))
    text.set_text(_wrap(title, max(20, int(0.9 * longest * room / box.width))))


def _overlaps(labels, renderer, *, axis: str, pad: float = 2.0) -> bool:
    """Whether any two visible, non-empty tick labels touch (in display pixels)."""
    boxes = [t.get_window_extent(renderer) for t in labels if t.get_visible() and t.get_text().strip()]
    if axis == "x":
        spans = sorted((b.x0, b.x1) for b in boxes)
    else:
        spans = sorted((b.y0, b.y1) for b in boxes)
    return any(b0 < a1 + pad for (_, a1), (b0, _) in zip(spans, spans[1:]))


#: The selection's value units (pmo_lib.analysis.optimise), named in the report's language on the governance charts
_VALUE_UNITS = (N_("cost of delay"), N_("cost of delay per week"),
                N_("cost of delay points (business value + time criticality + risk reduction)"))


def _percent_ticks(axis) -> None:
    """Whole-percent tick labels in the report's locale (``20%`` in English, ``20 %`` in German and French)."""
    if i18n.current_locale() is None:
        axis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    else:
        axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: i18n.percent(v)))


def _whole_ticks(axis) -> None:
    """Whole-number tick labels with the locale's thousands separator."""
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: i18n.number(v)))


def _plain_ticks(axis) -> None:
    """Replace matplotlib's default number formatter (which may print ``1e6`` or an offset) by plain numbers.

    Ticks get thousands separators and as many decimals as their spacing needs.
    """
    if not isinstance(axis.get_major_formatter(), matplotlib.ticker.ScalarFormatter):
        return
    if axis.get_scale() != "linear":
        return
    locs = np.asarray(axis.get_majorticklocs(), dtype=float)
    steps = np.diff(np.sort(locs))
    steps = steps[steps > 0]
    step = float(steps.min()) if len(steps) else (abs(float(locs[0])) if len(locs) else 1.0) or 1.0
    decimals = int(min(6, max(0, -np.floor(np.log10(step) + 1e-9)))) if step < 1 else 0

    def plain(value: float, _pos=None) -> str:
        text = i18n.number(value, decimals)  # in the report's locale: 1,234.5 (en), 1.234,5 (de)
        if round(value, decimals) == 0:
            text = text.lstrip("-")
        return text.replace("-", "\u2212")

    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(plain))


def declutter(fig: plt.Figure, *, max_grow: float = 2.5) -> plt.Figure:
    """Keep tick labels from printing over each other, on every axes of ``fig``.

    Crowded x labels are first turned 35° and, if still crowded, thinned to
    every n-th label (the first and last always shown). Crowded y labels (the
    categories of a bar chart) make the figure taller, up to ``max_grow``
    times, so that no name is dropped. Polar axes are left alone.
    """
    try:
        renderer = fig.canvas.get_renderer()
    except AttributeError:  # pragma: no cover - non-Agg canvases
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        if ax.name != "polar":
            _plain_ticks(ax.xaxis)
            _plain_ticks(ax.yaxis)
    fig.canvas.draw()
    grow = 1.0
    for ax in fig.axes:
        if ax.name == "polar" or not ax.get_visible() or not ax.get_xticklabels() and not ax.get_yticklabels():
            continue
        if getattr(ax, "_colorbar", None) is not None or ax.get_label() == "<colorbar>":
            continue
        labels = ax.get_xticklabels()
        if _overlaps(labels, renderer, axis="x"):
            for t in labels:
                t.set_rotation(35)
                t.set_ha("right")
                t.set_rotation_mode("anchor")
            fig.canvas.draw()
            labels = ax.get_xticklabels()
            shown = [t for t in labels if t.get_text().strip()]
            step = 2
            while _overlaps(labels, renderer, axis="x") and step < len(shown):
                for i, t in enumerate(shown):
                    t.set_visible(i % step == 0 or i == len(shown) - 1)
                fig.canvas.draw()
                step += 1
        ylabels = [t for t in ax.get_yticklabels() if t.get_text().strip()]
        if len(ylabels) > 1 and _overlaps(ylabels, renderer, axis="y"):
            boxes = [t.get_window_extent(renderer) for t in ylabels]
            need = sum(b.height for b in boxes) * 1.25
            have = abs(boxes[-1].y0 - boxes[0].y0) + boxes[-1].height
            grow = max(grow, min(max_grow, need / max(have, 1.0)))
    if grow > 1.0:
        width, height = fig.get_size_inches()
        fig.set_size_inches(width, height * grow)
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
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.legend(loc="best")
    return _finish(fig, ax, title, gettext("Planning cycle"), ylabel)


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
    _fit_title(fig, fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold"), title)
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
    ax.scatter(data["target_share"], y, marker="|", s=400, color="black", linewidths=2, zorder=3,
               label=gettext("Target share"))
    for yi, row in data.iterrows():
        mark = f"  {STATUS_SYMBOLS['red']} " + gettext("outside tolerance") if row["breach"] else ""
        right = max(row["share"], 0 if pd.isna(row["target_share"]) else row["target_share"])
        # one decimal, so that a share just outside the tolerance never reads as lying on its edge
        ax.text(right + 0.008, yi, f"{i18n.percent(row['share'], 1)}{mark}", va="center", fontsize=9)
    ax.set_yticks(y, [i18n.shown(label) for label in data["label"]])
    _percent_ticks(ax.xaxis)
    ax.set_xlim(0, max(data["share"].max(), data["target_share"].max(skipna=True) or 0) * 1.6)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1)
    breaches = int(mix["breach"].sum())
    title = (gettext("Spend matches the target goal mix") if breaches == 0 else
             ngettext("{count} goal outside the spend guardrail", "{count} goals outside the spend guardrail",
                      breaches).format(count=breaches))
    ax.grid(axis="y", visible=False)
    return _finish(fig, ax, title, gettext("Share of the cycle's spend"), "")


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


def _wrap(text: str, width: int = 22) -> str:
    """``text`` on lines of about ``width`` characters, broken between words only: a word longer than a line
    (a German compound such as "Investitionsentscheidungen") stays whole rather than cut at a random letter."""
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


def change_title(change: pd.DataFrame | None, *, since: str, alpha: float = 0.05) -> str | None:
    """A title that counts the dimensions whose change since ``since`` is beyond chance.

    ``change`` comes from :func:`pmo_lib.compare_cycles`. Only a change whose
    test is significant at ``alpha`` counts as a rise or a fall; None when
    nothing could be tested.
    """
    if change is None or change["p_value"].isna().all():
        return None
    tested = change.dropna(subset=["p_value"])
    clear = tested["p_value"] < alpha
    rose, fell = int((clear & (tested["delta"] > 0)).sum()), int((clear & (tested["delta"] < 0)).sum())
    if rose == fell == 0:
        return gettext("No dimension changed beyond chance since {since}").format(since=since)
    steady = len(tested) - rose - fell
    said = {"rose": rose, "fell": fell, "since": since, "steady": steady, "total": len(tested)}
    if rose and fell:
        text = gettext("{rose} {rose_dimensions} rose and {fell} {fell_dimensions} fell beyond chance since {since}; "
                       "{steady} of {total} show no clear change")
    elif rose:
        text = ngettext("{rose} dimension rose beyond chance since {since}; {steady} of {total} show no clear change",
                        "{rose} dimensions rose beyond chance since {since}; {steady} of {total} show no clear change",
                        rose)
    else:
        text = ngettext("{fell} dimension fell beyond chance since {since}; {steady} of {total} show no clear change",
                        "{fell} dimensions fell beyond chance since {since}; {steady} of {total} show no clear change",
                        fell)
    return text.format(rose_dimensions=ngettext("dimension", "dimensions", rose),
                       fell_dimensions=ngettext("dimension", "dimensions", fell), **said)


def overall_trend_title(trend: pd.DataFrame, span: dict | None, *, alpha: float = 0.05) -> str:
    """Title of the overall maturity line: first and last cycle, called a rise only if the test says so.

    ``trend`` comes from :func:`pmo_lib.maturity_trend`; ``span`` is
    :func:`pmo_lib.compare_overall` of the last cycle against the first.
    """
    series = trend.dropna(subset=["score"])
    if len(series) < 2 or span is None:
        return gettext("Overall maturity: one cycle so far, no trend yet")
    first, last = series.iloc[0], series.iloc[-1]
    p = span["p_value"]
    said = {"first": first["cycle"], "last": last["cycle"], "first_score": i18n.number(first["score"], 2),
            "last_score": i18n.number(last["score"], 2)}
    if pd.notna(p) and p < alpha and last["score"] != first["score"]:
        return (gettext("Overall maturity rose from {first_score} to {last_score} between {first} and {last}, beyond "
                        "chance") if last["score"] > first["score"] else
                gettext("Overall maturity fell from {first_score} to {last_score} between {first} and {last}, beyond "
                        "chance")).format(**said)
    return gettext("Overall maturity shows no clear change between {first} ({first_score}) and {last} "
                   "({last_score})").format(**said)


def maturity_radar(dims: pd.DataFrame, *, scale: tuple[int, int], previous: pd.DataFrame | None = None,
                   previous_label: str = "Previous cycle", current_label: str = "This cycle",
                   primary: str = "#1f4e79", change: pd.DataFrame | None = None,
                   peers: pd.DataFrame | None = None) -> plt.Figure:
    """Radar of dimension scores: this cycle, the previous cycle and the target.

    With ``change`` (:func:`pmo_lib.compare_cycles`) the title counts the
    dimensions that rose or fell beyond chance; otherwise it names the
    weakest dimension. A higher point score alone is never called a rise.
    With ``peers`` (:func:`pmo_lib.compare_with_peers`) it also draws the
    peers' median and, shaded, their middle half (lower to upper quartile),
    when every dimension has enough peers for them.
    """
    labels = [gettext(d) for d in dims["dimension"]]
    n = len(labels)
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False).tolist()
    close = angles + angles[:1]
    fig = plt.figure(figsize=(FIG_WIDTH, 6.4))
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(np.pi / 2)
    ax.set_theta_direction(-1)

    def draw(values, **kw):
        values = list(values)
        ax.plot(close, values + values[:1], **kw)
        return values

    draw(dims["target"], color="#c62828", linestyle="--", linewidth=1.2, label=gettext("Target"))
    band = (dims[["dimension_id"]].merge(peers[["dimension_id", "peer_q1", "peer_median", "peer_q3"]], how="left")
            if peers is not None else None)
    if band is not None and band[["peer_q1", "peer_median", "peer_q3"]].notna().all().all():
        low, high = band["peer_q1"].tolist(), band["peer_q3"].tolist()
        ax.fill_between(close, low + low[:1], high + high[:1], color=GREY, alpha=0.22, linewidth=0,
                        label=gettext("Peers' middle half"))
        draw(band["peer_median"], color="#555555", linestyle=":", linewidth=1.6, label=gettext("Peer median"))
    if previous is not None:
        prev = dims[["dimension_id"]].merge(previous[["dimension_id", "score"]], how="left")["score"]
        draw(prev.fillna(scale[0]), color=GREY, linewidth=1.2, marker="o", markersize=3, label=previous_label)
    cur = draw(dims["score"].fillna(scale[0]), color=primary, linewidth=2, marker="o", markersize=4,
               label=current_label)
    ax.fill(close, cur + cur[:1], color=primary, alpha=0.12)
    ax.set_ylim(scale[0], scale[1])
    ax.set_yticks(range(scale[0], scale[1] + 1))
    ax.set_xticks(angles, [_wrap(label, 20) for label in labels], fontsize=8)
    ax.tick_params(axis="x", pad=10)
    for angle, tick in zip(angles, ax.get_xticklabels()):  # labels grow away from the circle, never across it
        shown = ax.get_theta_offset() + ax.get_theta_direction() * angle
        across = np.cos(shown)
        tick.set_horizontalalignment("left" if across > 0.15 else "right" if across < -0.15 else "center")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3)
    scored = dims.dropna(subset=["score"])
    weakest = gettext(scored.sort_values("score").iloc[0]["dimension"]) if len(scored) else ""
    title = gettext("Weakest dimension: {dimension}").format(dimension=weakest) if weakest else gettext("No scores yet")
    tested = change_title(change, since=previous_label) if previous is not None and weakest else None
    title = tested or title
    _fit_title(fig, ax.set_title(_wrap(title, 70), pad=28), title)
    fig.tight_layout()
    return fig


def score_intervals(dims: pd.DataFrame, *, scale: tuple[int, int], confidence: float = 0.95,
                    primary: str = "#1f4e79",
                    min_respondents: int = DEFAULT_MINIMUMS.interval_respondents) -> plt.Figure:
    """Dimension scores with their bootstrap confidence intervals and targets.

    A dimension counts as below target beyond doubt only when it has an
    interval, at least ``min_respondents`` respondents, and the whole interval
    lies below the target.
    """
    data = dims.iloc[::-1].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.42 * len(data) + 1.4))
    y = np.arange(len(data))
    err = np.vstack([data["score"] - data["ci_low"], data["ci_high"] - data["score"]])
    ax.errorbar(data["score"], y, xerr=np.nan_to_num(err), fmt="o", color=primary, ecolor=primary, capsize=3,
                label=gettext("Score with {confidence} interval").format(confidence=i18n.percent(confidence)))
    ax.scatter(data["target"], y, marker="|", s=300, color="#c62828", linewidths=2, label=gettext("Target"), zorder=3)
    ax.set_yticks(y, [gettext(d) for d in data["dimension"]])
    ax.set_xlim(scale[0], scale[1])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / len(data)), ncol=2)
    ax.grid(axis="y", visible=False)
    enough = data["n_respondents"].ge(min_respondents) if "n_respondents" in data else True
    sure = int((data["ci_high"].notna() & (data["ci_high"] < data["target"]) & enough).sum())
    if data["ci_low"].isna().all():
        below = int((data["score"] < data["target"]).sum())
        title = ngettext("{count} of {total} dimensions score below target; too few respondents for intervals",
                         "{count} of {total} dimensions score below target; too few respondents for intervals",
                         len(data)).format(count=below, total=len(data))
    else:
        title = (ngettext("{count} of {total} dimensions are below target beyond doubt",
                          "{count} of {total} dimensions are below target beyond doubt", len(data)).format(
            count=sure, total=len(data)) if sure else
                 gettext("No dimension is clearly below target once uncertainty is counted"))
    return _finish(fig, ax, title, gettext("Mean score ({low}–{high} scale)").format(low=scale[0], high=scale[1]), "")


def heatmap(table: pd.DataFrame, *, title: str, xlabel: str, ylabel: str, scale: tuple[int, int],
            fmt: str = ".1f", height: float | None = None) -> plt.Figure:
    """A labelled heatmap of scores (rows × columns) on the model's scale."""
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, height or 0.34 * len(table) + 1.6))
    annot = (True if i18n.current_locale() is None else  # numbers in the report's locale (3,7 in German)
             table.map(lambda v: "" if pd.isna(v) else i18n.format_spec(v, "{:" + fmt + "}") or format(v, fmt)))
    sns.heatmap(table, annot=annot, fmt=fmt if annot is True else "", cmap="Blues", vmin=scale[0], vmax=scale[1],
                linewidths=0.5, cbar_kws={"label": gettext("Mean score"), "shrink": 0.8, "ticks": list(range(scale[0], scale[1] + 1))},
                ax=ax, annot_kws={"fontsize": 8})
    ax.set_yticklabels([_wrap(t.get_text(), 34) for t in ax.get_yticklabels()], rotation=0, fontsize=8)
    ax.set_xticklabels([_wrap(t.get_text(), 14) for t in ax.get_xticklabels()], rotation=0, fontsize=8)
    fig = _finish(fig, ax, title, xlabel, ylabel)
    _fit_title(fig, ax.set_title(_wrap(title, 80)), title)
    fig.tight_layout()
    return fig


def dimension_trends(history: pd.DataFrame, *, scale: tuple[int, int], title: str,
                     min_cycles: int = DEFAULT_MINIMUMS.trend_cycles) -> plt.Figure:
    """Each dimension's score over the cycles, one small line chart per dimension.

    Raises
    ------
    ValueError
        With fewer than ``min_cycles`` cycles (default 4, ``minimums.trend_cycles``):
        a page of charts with a point or two each shows no trend; say so in words instead.
    """
    dims = list(dict.fromkeys(history["dimension"]))
    cycles = list(dict.fromkeys(history["cycle"]))
    if len(cycles) < min_cycles:
        raise ValueError(f"dimension_trends needs at least {min_cycles} cycles; got {len(cycles)}")
    cols = 4
    rows = int(np.ceil(len(dims) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(FIG_WIDTH, 1.9 * rows + 0.6), squeeze=False, sharey=True)
    x = np.arange(len(cycles))
    for ax, dim in zip(axes.flat, dims):
        series = history[history["dimension"] == dim].set_index("cycle").reindex(cycles)["score"]
        ax.plot(x, series, marker="o", markersize=3)
        ax.set_title(_wrap(gettext(dim), 24), fontsize=8, fontweight="bold")
        ax.set_ylim(scale[0], scale[1])
        ax.set_xticks(x, [c if i in (0, len(cycles) - 1) else "" for i, c in enumerate(cycles)], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
    for ax in list(axes.flat)[len(dims):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel(gettext("score"), fontsize=8)
    _fit_title(fig, fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold"), title)
    fig.tight_layout()
    return fig


def item_grid(items: pd.DataFrame, model) -> pd.DataFrame:
    """Item means as a dimension × level grid, for :func:`heatmap` (items of one level averaged)."""
    names = model.dimensions.set_index("dimension_id")["dimension"]
    grid = items.pivot_table(index="dimension_id", columns="level", values="mean", aggfunc="mean")
    grid = grid.reindex(model.dimensions["dimension_id"])
    grid.index = grid.index.map(lambda d: gettext(names[d]))
    grid.columns = [f"{c} {gettext(model.level_name(c))}" for c in grid.columns]
    return grid


def weakest_item_title(items: pd.DataFrame, model) -> str:
    """Title naming the weakest questionnaire statement, with its text, dimension and mean answer."""
    answered = items.dropna(subset=["mean"])
    if answered.empty:
        return gettext("No item has answers yet")
    worst = answered.sort_values("mean", kind="stable").iloc[0]
    names = model.dimensions.set_index("dimension_id")["dimension"]
    text = model.items.set_index("item_id")["text"].get(worst["item_id"], "")
    said = {"item": worst["item_id"], "dimension": gettext(names[worst["dimension_id"]]),
            "mean": i18n.number(worst["mean"], 2)}
    if not text:
        return gettext("Weakest statement: {item} in {dimension} ({mean})").format(**said)
    return gettext("Weakest statement: {item} “{statement}” in {dimension} ({mean})").format(
        statement=gettext(str(text).strip()).strip().rstrip("."), **said)




def role_grid(roles: pd.DataFrame, model, *, min_respondents: int = DEFAULT_MINIMUMS.group_size) -> pd.DataFrame:
    """Role scores as a dimension × role grid, for :func:`heatmap`; roles get readable names.

    Roles with fewer than ``min_respondents`` respondents on every dimension
    are left out: their mean is a person's answers, not a group's.
    """
    names = model.dimensions.set_index("dimension_id")["dimension"]
    counted = roles.groupby("role")["n_respondents"].max()
    roles = roles[roles["role"].isin(counted[counted >= min_respondents].index)]
    grid = roles.pivot_table(index="dimension_id", columns="role", values="score").reindex(
        model.dimensions["dimension_id"])
    grid.index = grid.index.map(lambda d: gettext(names[d]))
    grid.columns = [role_label(c) for c in grid.columns]
    return grid


def role_gap_title(assessment: pd.DataFrame, model, *,
                   min_respondents: int = DEFAULT_MINIMUMS.group_size) -> str:
    """Title naming the roles that are most and least positive, among roles with ``min_respondents`` respondents.

    The scores are :func:`pmo_lib.analysis.maturity.role_means`; this only words them.
    """
    from ..analysis.maturity import role_means

    means = role_means(assessment, model, min_respondents=min_respondents)
    compared = means[means["compared"]]
    if len(compared) < 2:
        return (gettext("Too few respondents per role to compare roles") if len(means) > 1 else
                gettext("Only one role answered"))
    low, high = compared.iloc[0], compared.iloc[-1]
    return gettext("{high} score highest ({high_score}), {low} lowest ({low_score})").format(
        high=role_label(high["role"]), high_score=i18n.number(high["score"], 2), low=role_label(low["role"]),
        low_score=i18n.number(low["score"], 2))


def control_chart(history: pd.DataFrame, trend: pd.Series, *, name: str, unit_label: str,
                  primary: str = "#1f4e79") -> plt.Figure:
    """An XmR chart: individuals with natural process limits, and moving ranges.

    ``history`` holds ``cycle, value`` for one KPI; ``trend`` is its row of
    :func:`pmo_lib.kpi_trends`. Points that break a Western Electric rule are
    drawn as red squares and labelled with the rule number.
    """
    from ..analysis.trends import xmr_points

    cycles = history["cycle"].tolist()
    points = xmr_points(history["value"])
    x = np.arange(len(cycles))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(FIG_WIDTH, 4.2), sharex=True,
                                      gridspec_kw={"height_ratios": [2.2, 1]})
    top.plot(x, points["value"], marker="o", color=primary, label=name)
    for level, style, label in ((trend["center"], "-", gettext("Centre")), (trend["ucl"], "--", gettext("Limits")),
                                (trend["lcl"], "--", None)):
        top.axhline(level, color=GREY, linestyle=style, linewidth=1, label=label)
    flagged: dict[int, list[int]] = {}
    for part in filter(None, str(trend["signals"] or "").split("; ")):
        cycle, rule = part.rsplit(": rule ", 1)
        flagged.setdefault(cycles.index(cycle), []).append(int(rule))
    for i, rules in flagged.items():
        top.scatter([x[i]], [points["value"][i]], marker="s", s=60, color=STATUS_COLOURS["red"], zorder=4)
        top.annotate(gettext("rule {rule}").format(rule=",".join(map(str, rules))), (x[i], points["value"][i]),
                     xytext=(5, 6),
                     textcoords="offset points", fontsize=8, color=STATUS_COLOURS["red"])
    top.set_ylabel(unit_label)
    top.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    bottom.plot(x, points["moving_range"], marker="o", color=GREY)
    bottom.axhline(trend["mr_ucl"], color=GREY, linestyle="--", linewidth=1)
    bottom.set_ylabel(gettext("moving range"))
    bottom.set_xticks(x, cycles)
    bottom.set_xlabel(gettext("Planning cycle"))
    n_signals = len(flagged)
    drift = str(trend.get("trend", ""))
    if n_signals:
        title = ngettext("{name}: {count} cycle outside normal variation", "{name}: {count} cycles outside normal variation",
                         n_signals).format(name=name, count=n_signals)
    elif drift == "improving":
        title = gettext("{name}: improving slowly, every cycle within its limits").format(name=name)
    elif drift == "worsening":
        title = gettext("{name}: worsening slowly, every cycle within its limits").format(name=name)
    elif drift == "rising":
        title = gettext("{name}: rising slowly, every cycle within its limits").format(name=name)
    elif drift == "falling":
        title = gettext("{name}: falling slowly, every cycle within its limits").format(name=name)
    else:
        title = gettext("{name}: only routine variation across the cycles").format(name=name)
    _fit_title(fig, top.set_title(title), title)
    fig.tight_layout()
    return fig


def value_scatter(vfm: pd.DataFrame, *, primary: str = "#1f4e79", value: str = "nps") -> plt.Figure:
    """Customer value (NPS or CSAT) against cost performance, sized by the cycle's spend.

    Every active initiative is accounted for: those without customer answers
    are drawn on a separate strip under the chart at their CPI, and those
    without cost data are named in a note under it. ``vfm`` comes from
    :func:`pmo_lib.value_for_money`.
    """
    status = vfm["status"] if "status" in vfm.columns else pd.Series("active", index=vfm.index)
    data = vfm.dropna(subset=["cpi", value])
    active = status.eq("active")
    unanswered = vfm[active & vfm["cpi"].notna() & vfm[value].isna()].sort_values("cpi")
    no_cost = vfm[active & vfm["cpi"].isna()].sort_values("initiative_id")
    ylabel = gettext("Net promoter score (points)") if value == "nps" else gettext("CSAT (share of 4 or 5)")
    if unanswered.empty:
        fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.8))
        strip = None
    else:
        fig, (ax, strip) = plt.subplots(2, 1, figsize=(FIG_WIDTH, 5.0), sharex=True,
                                        gridspec_kw={"height_ratios": [4, 1.4]})
    biggest = max(float(vfm["spend"].max(skipna=True) or 0), 1.0) if len(vfm) else 1.0
    if data.empty:
        ax.text(0.5, 0.5, gettext("No initiative has both cost data and customer feedback this cycle"),
                ha="center", va="center", transform=ax.transAxes)
        title = gettext("No value-for-money view yet")
    else:
        sizes = 30 + 300 * data["spend"].fillna(0) / biggest
        ax.scatter(data["cpi"], data[value], s=sizes, color=primary, alpha=0.55, edgecolor="white")
        if len(unanswered):  # the strip shares the x axis: its points must be inside the limits fixed below
            ax.update_datalim(np.column_stack([unanswered["cpi"].to_numpy(dtype=float),
                                               np.full(len(unanswered), float(data[value].mean()))]))
            ax.autoscale_view()
        _label_points(ax, data["cpi"].to_numpy(dtype=float), data[value].to_numpy(dtype=float),
                      data["initiative_id"].astype(str).tolist())
        worst = data.sort_values(value).iloc[0]
        title = gettext("Lowest customer score: {id} {name}").format(id=worst["initiative_id"], name=worst["name"])
    ax.axvline(1, color=GREY, linewidth=0.8)
    _fit_title(fig, ax.set_title(title), title)
    ax.set_ylabel(ylabel)
    if value == "csat":
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    bottom = ax
    if strip is not None:
        sizes = 30 + 300 * unanswered["spend"].fillna(0) / biggest
        strip.scatter(unanswered["cpi"], np.zeros(len(unanswered)), s=sizes, facecolors="white",
                      edgecolors=GREY, linewidths=1.2, zorder=3)
        strip.axvline(1, color=GREY, linewidth=0.8)
        strip.set_yticks([0], [gettext("No net promoter score\nanswers") if value == "nps" else
                               gettext("No satisfaction\nanswers")])
        strip.set_ylim(-0.6, 1.6)
        strip.grid(axis="y", visible=False)
        fig.tight_layout()
        for (cpi, ident), x in zip(unanswered[["cpi", "initiative_id"]].itertuples(index=False),
                                   _spread(strip, unanswered["cpi"].to_numpy(dtype=float), gap_points=9)):
            strip.annotate(str(ident), (cpi, 0), xytext=(x, 0.45), textcoords="data", rotation=90, fontsize=7,
                           color=GREY, ha="center", va="bottom",
                           arrowprops={"arrowstyle": "-", "color": "#b0b0b0", "linewidth": 0.6,
                                       "shrinkA": 0, "shrinkB": 4})
        bottom = strip
    bottom.set_xlabel(gettext("Cost performance index (CPI)"))
    if len(no_cost):
        names = ", ".join(no_cost["initiative_id"].astype(str))
        fig.text(0.01, 0.0, gettext("Not shown, no cost data this cycle: {names}.").format(names=names), fontsize=8,
                 color=GREY,
                 ha="left", va="top")
    fig.tight_layout()
    return fig


def _label_points(ax: plt.Axes, xs: np.ndarray, ys: np.ndarray, labels: list[str], *, fontsize: float = 7) -> None:
    """Label scatter points, moving a label to another side of its point when it would cover an earlier one."""
    fig = ax.figure
    fig.tight_layout()
    ax.set_xlim(ax.get_xlim())  # fix the limits so that display positions hold
    ax.set_ylim(ax.get_ylim())
    points = fig.dpi / 72
    placed: list[tuple[float, float, float, float]] = []
    offsets = [(5, 3), (5, -10), (-5, 3), (-5, -10), (5, 10), (-5, 10), (5, -17), (-5, -17)]
    for x, y, text in sorted(zip(xs, ys, labels), key=lambda t: (-t[1], t[0])):
        px, py = ax.transData.transform((x, y))
        width, height = 0.62 * fontsize * len(text) * points, fontsize * points
        choice = offsets[0]
        for dx, dy in offsets:
            x0 = px + dx * points - (width if dx < 0 else 0)
            y0 = py + dy * points
            box = (x0, y0, x0 + width, y0 + height)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
                choice = (dx, dy)
                break
        dx, dy = choice
        x0 = px + dx * points - (width if dx < 0 else 0)
        placed.append((x0, py + dy * points, x0 + width, py + dy * points + height))
        ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize, color=GREY,
                    ha="right" if dx < 0 else "left")


def _spread(ax: plt.Axes, xs: np.ndarray, *, gap_points: float) -> list[float]:
    """Label positions along x, in data units, at least ``gap_points`` apart and as close to ``xs`` as may be.

    ``xs`` must be sorted. Crowded labels fan out around their cluster's centre, within the axes.
    """
    if len(xs) == 0:
        return []
    fig = ax.figure
    to_px = ax.transData.transform
    px = np.array([to_px((x, 0))[0] for x in xs])
    gap = gap_points * fig.dpi / 72
    left, right = ax.transAxes.transform((0, 0))[0], ax.transAxes.transform((1, 0))[0]
    clusters = [[i] for i in range(len(px))]  # merge neighbours that collide, centring each group on its markers

    def first(group: list[int]) -> float:
        width = gap * (len(group) - 1)
        return min(max(px[group].mean() - width / 2, left + gap / 2), right - gap / 2 - width)

    merged = True
    while merged:
        merged = False
        for k in range(len(clusters) - 1):
            a, b = clusters[k], clusters[k + 1]
            if first(a) + gap * (len(a) - 1) + gap > first(b) + 1e-6:
                clusters[k:k + 2] = [a + b]
                merged = True
                break
    pos = np.empty(len(px))
    for group in clusters:
        pos[group] = first(group) + gap * np.arange(len(group))
    inverse = ax.transData.inverted()
    return [float(inverse.transform((p, 0))[0]) for p in pos]


def value_scatter_note(vfm: pd.DataFrame, *, value: str = "nps") -> str:
    """A caption sentence saying which active initiatives the value-for-money chart cannot place, and why."""
    status = vfm["status"] if "status" in vfm.columns else pd.Series("active", index=vfm.index)
    active = vfm[status.eq("active")]
    what = "net promoter score" if value == "nps" else "satisfaction"
    parts = []
    unanswered = active[active["cpi"].notna() & active[value].isna()].sort_values("initiative_id")
    if len(unanswered):
        parts.append(f"{', '.join(unanswered['initiative_id'].astype(str))} "
                     f"{'has' if len(unanswered) == 1 else 'have'} no {what} answers this cycle and "
                     f"{'is' if len(unanswered) == 1 else 'are'} shown on the strip below the chart")
    no_cost = active[active["cpi"].isna()].sort_values("initiative_id")
    if len(no_cost):
        parts.append(f"{', '.join(no_cost['initiative_id'].astype(str))} "
                     f"{'has' if len(no_cost) == 1 else 'have'} no cost data this cycle and "
                     f"{'is' if len(no_cost) == 1 else 'are'} not shown")
    shown = int(active.dropna(subset=["cpi", value]).shape[0])
    lead = (f"{shown} of {plural(len(active), 'active initiative')} {'has' if shown == 1 else 'have'} "
            "both a CPI and customer answers")
    return lead + (": " + i18n.semicolon().join(parts) + "." if parts else ".")


def throughput_bars(history: pd.DataFrame, *, primary: str = "#1f4e79") -> plt.Figure:
    """Items finished per cycle."""
    data = history[history["kpi_id"] == "throughput"]
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 2.8))
    ax.bar(data["cycle"], data["value"], color=primary)
    for i, v in enumerate(data["value"]):
        if pd.notna(v):
            ax.text(i, v, i18n.number(v), ha="center", va="bottom", fontsize=8)
    valid = data.dropna(subset=["value"])
    title = gettext("No finished work items yet") if valid.empty else gettext(
        "Throughput went from {first} to {last} items per cycle").format(first=i18n.number(valid["value"].iloc[0]), last=i18n.number(valid["value"].iloc[-1]))
    ax.grid(axis="x", visible=False)
    return _finish(fig, ax, title, gettext("Planning cycle"), gettext("Items finished"))


def _days(value: float) -> str:
    """``12 days``: a whole number of days (rounded) in the report's language."""
    n = int(round(value))
    return ngettext("{count} day", "{count} days", n).format(count=i18n.number(n))


def _items(n: int) -> str:
    """``3 items``: a count of work items in the report's language."""
    return ngettext("{count} item", "{count} items", n).format(count=i18n.number(n))


def _age_band(band: str) -> str:
    """An age band as the analysis names it (``0–13 days``, ``90+ days``), in the report's language."""
    return gettext("{band} days").format(band=band[:-5]) if band.endswith(" days") else band


def flow_time_histogram(times: pd.DataFrame, *, primary: str = "#1f4e79", method: str = "linear") -> plt.Figure:
    """Distribution of flow times with the 50th and 85th percentiles marked (read with NumPy's ``method``)."""
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.0))
    days = times["flow_days"]
    upper = max(float(np.percentile(days, 99)), 1.0)
    ax.hist(days.clip(upper=upper), bins=30, color=primary, alpha=0.85)
    p50, p85 = np.percentile(days, [50, 85], method=method)  # type: ignore[call-overload]
    for value, label, style in ((p50, gettext("50th percentile: {days}"), "-"),
                                (p85, gettext("85th percentile: {days}"), "--")):
        ax.axvline(value, color=STATUS_COLOURS["red"], linestyle=style, linewidth=1.2,
                   label=label.format(days=_days(value)))
    ax.legend(loc="upper right")
    title = gettext("{share} of items finished within {days}").format(share=i18n.percent(0.85), days=_days(p85))
    return _finish(fig, ax, title, gettext("Flow time (days from start to finish)"), gettext("Items"))


def wip_age_bars(ageing: pd.DataFrame, *, top_n: int = 12) -> plt.Figure:
    """Work in progress per initiative, stacked by age band (the oldest initiatives first)."""
    grid = ageing.pivot_table(index="initiative_id", columns="age_band", values="items", aggfunc="sum",
                              fill_value=0, observed=False)
    grid = grid.loc[grid.sum(axis=1).sort_values(ascending=False).index[:top_n]].iloc[::-1]
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.3 * len(grid) + 1.6))
    left = np.zeros(len(grid))
    palette = sns.color_palette("Blues", n_colors=len(grid.columns) + 1)[1:]
    for colour, band in zip(palette, grid.columns):
        ax.barh(grid.index, grid[band], left=left, color=colour, label=_age_band(str(band)))
        left += grid[band].to_numpy()
    ax.legend(title=gettext("Age at the cycle's end"), loc="upper center", bbox_to_anchor=(0.5, -0.22),
              ncol=len(grid.columns))
    old = ageing[ageing["age_band"].astype(str).str.startswith(("60", "90"))]["items"].sum()
    total = int(ageing["items"].sum())
    title = (ngettext("{count} item in progress for 60 days or more", "{count} items in progress for 60 days or more",
                      int(old)).format(count=i18n.number(int(old))) if old else
             ngettext("No item in progress for 60 days or more; {count} item in progress",
                      "No item in progress for 60 days or more; {count} items in progress", total).format(
                 count=i18n.number(total)))
    ax.grid(axis="y", visible=False)
    return _finish(fig, ax, title, gettext("Items in progress"), gettext("Initiative"))


def count_heatmap(table: pd.DataFrame, *, title: str, xlabel: str, ylabel: str,
                  label: str | None = None) -> plt.Figure:
    """A heat grid of counts (e.g. initiatives × RAID severity); empty cells are blank.

    The colour scale is integer: one shade per count from 0 to the largest,
    with whole-number ticks on the colour bar.
    """
    label = gettext("Open items") if label is None else label
    counts = table.fillna(0).round().astype(int)
    top = max(int(counts.to_numpy().max()) if counts.size else 0, 1)
    cmap = matplotlib.colormaps["Reds"].resampled(top + 1)
    norm = matplotlib.colors.BoundaryNorm(np.arange(-0.5, top + 1.5), cmap.N)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.3 * len(table) + 1.5))
    sns.heatmap(counts.where(counts > 0), annot=True, fmt=".0f", cmap=cmap, norm=norm, linewidths=0.5, ax=ax,
                cbar_kws={"label": label, "shrink": 0.8}, annot_kws={"fontsize": 8})
    ticks = [t for t in matplotlib.ticker.MaxNLocator(nbins=6, integer=True, min_n_ticks=1).tick_values(0, top)
             if 0 <= t <= top]
    colorbar = ax.collections[0].colorbar
    colorbar.set_ticks(ticks)
    colorbar.set_ticklabels([i18n.number(int(t)) for t in ticks])
    colorbar.minorticks_off()
    ax.set_yticklabels(ax.get_yticklabels(), rotation=0, fontsize=8)
    ax.set_xticklabels([display_name(t.get_text()) for t in ax.get_xticklabels()], rotation=0, fontsize=9)
    return _finish(fig, ax, title, xlabel, ylabel)


def funding_shift_bars(scenario: pd.DataFrame, *, currency: str,
                       smallest_move: float = DEFAULT_FUNDING.smallest_move) -> plt.Figure:
    """Who gains and who loses in the reallocation scenario.

    Changes no larger than ``smallest_move`` (``funding.smallest_move`` in
    ``pmo.yaml``) count as no move and are not drawn.
    """
    moved = scenario[scenario["change"].abs() > smallest_move].sort_values("change")
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.32 * max(len(moved), 1) + 1.5))
    if moved.empty:
        ax.text(0.5, 0.5, gettext("The scenario moves no money"), ha="center", va="center", transform=ax.transAxes)
        return _finish(fig, ax, gettext("No reallocation within the guardrails"),
                       gettext("Change ({currency})").format(currency=currency), "")
    colours = [STATUS_COLOURS["green"] if c > 0 else STATUS_COLOURS["red"] for c in moved["change"]]
    labels = [f"{i} {_wrap(n, 28)}" if isinstance(n, str) else str(i) for i, n in zip(moved["initiative_id"], moved["name"])]
    ax.barh(labels, moved["change"], color=colours)
    for y, change in enumerate(moved["change"]):
        ax.text(change, y, f" {'+' if change > 0 else '−'}{i18n.number(abs(change))} ", va="center",
                ha="left" if change > 0 else "right", fontsize=8)
    ax.axvline(0, color=GREY, linewidth=0.8)
    lim = moved["change"].abs().max() * 1.6
    ax.set_xlim(-lim, lim)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    if i18n.current_locale() is not None:
        _whole_ticks(ax.xaxis)
    total = moved.loc[moved["change"] > 0, "change"].sum()
    gainers = int((moved["change"] > 0).sum())
    amount = f"{currency} {total:,.0f}" if i18n.current_locale() is None else i18n.money(total, currency)
    title = ngettext("{amount} would move to {count} higher-value initiatives",
                     "{amount} would move to {count} higher-value initiatives", gainers).format(amount=amount,
                                                                                               count=gainers)
    ax.grid(axis="y", visible=False)
    return _finish(fig, ax, title, gettext("Change in budget ({currency})").format(currency=currency), "")


def completion_line(completion: pd.DataFrame, *, primary: str = "#1f4e79") -> plt.Figure:
    """Share of due actions that were done, per cycle."""
    data = completion.dropna(subset=["completion"])
    title = (gettext("No actions were due yet") if data.empty else
             gettext("{share} of the actions due by {cycle} are done").format(
                 share=i18n.percent(data["completion"].iloc[-1]), cycle=data["cycle"].iloc[-1]))
    fig = trend_lines(completion, value="completion", label=gettext("Actions done"),
                      ylabel=gettext("Share of due actions done"), title=title, percent=True)
    if i18n.current_locale() is not None:
        _percent_ticks(fig.axes[0].yaxis)
    return fig


def _date_ticks(ax: plt.Axes, english: str | None = None) -> None:
    """Date ticks on the x axis in the report's locale (English: ``english``, a strftime pattern, or as drawn)."""
    import matplotlib.dates

    if i18n.current_locale() is None:
        if english:
            ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter(english))
        return
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
        lambda v, _: i18n.date(matplotlib.dates.num2date(v).replace(tzinfo=None))))


def forecast_dates_chart(forecasts: pd.DataFrame, initiatives: pd.DataFrame, *, end: pd.Timestamp,
                         primary: str = "#1f4e79", top_n: int = 20, threshold: float = 0.5) -> plt.Figure:
    """When each initiative's open items are finished: the 50%–95% range, the 85% date and the planned end.

    ``forecasts`` is :func:`pmo_lib.delivery_forecasts`; ``initiatives`` gives
    ``planned_end_date`` per ``initiative_id``. The least likely to be on time come first.
    """
    import matplotlib.dates

    when = forecasts[(forecasts["kind"] == "when")].dropna(subset=["p50", "p95"]).copy()
    planned = initiatives.set_index("initiative_id")["planned_end_date"]
    when["planned"] = when["scope"].map(planned)
    when = when.sort_values(["p_on_time", "scope"], ascending=[True, True]).head(top_n).iloc[::-1]
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.2 * len(when) + 1.5))
    y = np.arange(len(when))
    p50, p85, p95 = (pd.to_datetime(when[c]) for c in ("p50", "p85", "p95"))
    ax.hlines(y, p50, p95, color=primary, linewidth=4, alpha=0.45,
              label=gettext("{low} to {high} likely").format(low=i18n.percent(0.5), high=i18n.percent(0.95)))
    ax.scatter(p85, y, color=primary, zorder=3, s=22, label=gettext("{share} likely").format(share=i18n.percent(0.85)))
    shown = when["planned"] <= p95.max() + pd.Timedelta(days=60)
    ax.scatter(when["planned"][shown], y[shown.to_numpy()], marker="|", s=140, color=STATUS_COLOURS["red"], zorder=4,
               label=gettext("Planned end"))
    ax.axvline(end, color=GREY, linewidth=0.8, linestyle=":")
    ax.set_yticks(y, when["scope"])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=3, frameon=False)
    late = int((forecasts["p_on_time"] < threshold).sum())
    chance = i18n.percent(threshold)
    title = (gettext("Every initiative has at least a {chance} chance to finish its open work by its planned end").format(
        chance=chance) if late == 0 else
             ngettext("{count} initiative has less than a {chance} chance to finish by its planned end",
                      "{count} initiatives have less than a {chance} chance to finish by their planned end", late).format(
                 count=i18n.number(late), chance=chance))
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(matplotlib.dates.AutoDateLocator(minticks=3, maxticks=6))
    _date_ticks(ax, "%d %b %Y")
    return _finish(fig, ax, title, gettext("Date the open items are finished (planned ends beyond the chart not shown)"),
                   gettext("Initiative"))


def how_many_chart(trials: np.ndarray, *, weeks: int, primary: str = "#1f4e79") -> plt.Figure:
    """Distribution of the simulated items finished next cycle, with the 50/85/95% "at least" levels."""
    from ..analysis.forecast import LEVELS, at_least

    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.0))
    span = int(trials.max() - trials.min()) + 1
    edges = np.arange(trials.min(), trials.max() + 2, max(1, int(np.ceil(span / 40)))) - 0.5
    counts, edges = np.histogram(trials, bins=edges)
    ax.bar(edges[:-1], counts / len(trials), width=np.diff(edges), align="edge", color=primary, alpha=0.8)
    styles = {0.5: "-", 0.85: "--", 0.95: ":"}
    for q in LEVELS:
        v = at_least(trials, q)
        ax.axvline(v, color=STATUS_COLOURS["red"], linestyle=styles[q], linewidth=1.2,
                   label=gettext("{share} likely: at least {count}").format(share=i18n.percent(q), count=i18n.number(v)))
    ax.legend(loc="upper right")
    if i18n.current_locale() is None:
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=1))
    else:
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: i18n.percent(v, 1)))
    title = ngettext("{share} likely to finish at least {count} items in the next {weeks} week",
                     "{share} likely to finish at least {count} items in the next {weeks} weeks", weeks).format(
        share=i18n.percent(0.85), count=i18n.number(at_least(trials, 0.85)), weeks=i18n.number(weeks))
    return _finish(fig, ax, title, gettext("Items finished in the next cycle"), gettext("Share of simulated futures"))


# --------------------------------------------------------------------------- flow charts practitioners read
#: Work item types as a chart axis names them.
_KIND_LABELS = {"feature": N_("Features"), "defect": N_("Defects"), "risk": N_("Risks"),
                "debt": N_("Technical debt")}  # N_: translated where shown
#: How each flow-time percentile line is drawn: (colour, line style).
_PERCENTILE_LINES = {50: ("#5b8c5a", "-"), 85: ("#e69500", "--"), 95: (STATUS_COLOURS["red"], ":")}


def _percentile_lines(ax: plt.Axes, percentiles: dict[int, float], *, vertical: bool = False) -> None:
    for q, days in sorted(percentiles.items()):
        if not np.isfinite(days):
            continue
        colour, style = _PERCENTILE_LINES.get(q, (GREY, "-."))
        draw = ax.axvline if vertical else ax.axhline
        draw(days, color=colour, linestyle=style, linewidth=1.2,
             label=gettext("{share} of items within {days}").format(share=i18n.percent(q / 100), days=_days(days)))


def cycle_time_scatter(times: pd.DataFrame, percentiles: dict[int, float], *,
                       primary: str = "#1f4e79") -> plt.Figure:
    """Each finished item at its finish date against its flow time, with the percentile lines.

    ``times`` from :func:`pmo_lib.flow_times` (with ``started`` and ``finished``); ``percentiles``
    from :func:`pmo_lib.flow_percentiles` over the same items.
    """
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.4))
    # thousands of dots as vectors make the PDF slow to render and the HTML heavy: drawn as one embedded image
    ax.scatter(times["finished"], times["flow_days"], s=10, color=primary, alpha=0.55, linewidths=0,
               rasterized=len(times) > RASTER_POINTS)
    _percentile_lines(ax, percentiles)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.42), fontsize=8, ncol=3)
    ax.set_ylim(bottom=0)
    p85 = percentiles.get(85, np.nan)
    title = (gettext("No finished work items yet") if times.empty or not np.isfinite(p85) else
             ngettext("{share} of the {count} finished item took {days} or less",
                      "{share} of the {count} finished items took {days} or less", len(times)).format(
                 share=i18n.percent(0.85), count=i18n.number(len(times)), days=_days(p85)))
    fig.autofmt_xdate()
    _date_ticks(ax)
    return _finish(fig, ax, title, gettext("Date finished"), gettext("Flow time (days)"))


def cumulative_flow_diagram(flow: pd.DataFrame, *, primary: str = "#1f4e79") -> plt.Figure:
    """Cumulative flow: items created, started and finished by each day, drawn as bands.

    ``flow`` from :func:`pmo_lib.cumulative_flow`. From the top: items waiting
    (created, not started), in progress (started, not finished), finished.
    """
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.4))
    finished = flow["finished"].to_numpy(dtype=float)
    started = flow["started"].to_numpy(dtype=float)
    created = flow["created"].to_numpy(dtype=float)
    ax.stackplot(flow["date"], finished, started - finished, created - started,
                 colors=[primary, "#7f9cb8", "#d9d9d9"],
                 labels=[pgettext("work items", "Finished"), gettext("In progress"), gettext("Waiting to start")],
                 alpha=0.9)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="upper left")
    if flow.empty:
        title = gettext("No work items yet")
    else:
        wip = int(started[-1] - finished[-1])
        title = gettext("{finished} finished so far; {wip} in progress at the end").format(
            finished=_items(int(finished[-1])), wip=_items(wip))
    fig.autofmt_xdate()
    _date_ticks(ax)
    return _finish(fig, ax, title, gettext("Date"), gettext("Items (cumulative)"))


def wip_ageing_chart(items: pd.DataFrame, percentiles: dict[int, float], *, primary: str = "#1f4e79") -> plt.Figure:
    """Age of each item in progress, by item type, against the flow-time percentile lines.

    ``items`` from :func:`pmo_lib.wip_items`; ``percentiles`` from the finished
    items (:func:`pmo_lib.flow_percentiles`). An item above the 85% line is
    already older than 85% of finished items were when they finished.
    """
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.4))
    kinds = sorted(items["item_type"].dropna().unique()) if not items.empty else []
    rng = np.random.default_rng(0)  # a fixed jitter, so the chart is the same on every run
    for i, kind in enumerate(kinds):
        ages = items.loc[items["item_type"] == kind, "age_days"].to_numpy(dtype=float)
        ax.scatter(i + rng.uniform(-0.25, 0.25, len(ages)), ages, s=12, alpha=0.7, linewidths=0, color=primary)
    ax.set_xticks(range(len(kinds)), [gettext(_KIND_LABELS[k]) if k in _KIND_LABELS else str(display_name(k))
                                      for k in kinds])
    _percentile_lines(ax, percentiles)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize=8, ncol=3)
    ax.set_ylim(bottom=0)
    ax.grid(axis="x", visible=False)
    p85 = percentiles.get(85, np.nan)
    if items.empty:
        title = gettext("No work in progress")
    elif np.isfinite(p85):
        older = int((items["age_days"] > p85).sum())
        title = ngettext("{count} item in progress already older than {share} of finished items took",
                         "{count} items in progress already older than {share} of finished items took", older).format(
            count=i18n.number(older), share=i18n.percent(0.85))
    else:
        title = ngettext("{count} item in progress", "{count} items in progress", len(items)).format(
            count=i18n.number(len(items)))
    return _finish(fig, ax, title, gettext("Item type"), gettext("Age (days since started)"))


def throughput_run_chart(weekly: pd.DataFrame, *, primary: str = "#1f4e79") -> plt.Figure:
    """Items finished per week, with the median week, from :func:`pmo_lib.weekly_throughput`."""
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.0))
    ax.plot(weekly["week_end"], weekly["items"], marker="o", markersize=3, color=primary, linewidth=1.2,
            label=gettext("Items finished in the week"))
    if weekly.empty:
        title = gettext("No whole week of work items yet")
    else:
        median = float(np.median(weekly["items"]))
        ax.axhline(median, color=GREY, linestyle="--", linewidth=1,
                   label=gettext("Median: {count} items a week").format(count=i18n.number(median)))
        title = ngettext("A typical week finished {count} items over the last {weeks} week",
                         "A typical week finished {count} items over the last {weeks} weeks", len(weekly)).format(
            count=i18n.number(median), weeks=i18n.number(len(weekly)))
    ax.legend(loc="upper left")
    ax.set_ylim(bottom=0)
    fig.autofmt_xdate()
    _date_ticks(ax)
    return _finish(fig, ax, title, gettext("Week ending"), gettext("Items finished"))


# --------------------------------------------------------------------------- investment decisions
def frontier_chart(frontier: pd.DataFrame, *, currency: str, unit: str | None = None,
                   primary: str = "#1f4e79") -> plt.Figure:
    """The best attainable cost of delay at each proposal budget, with the greedy WSJF order beside it.

    Parameters
    ----------
    frontier : DataFrame
        From :func:`pmo_lib.efficient_frontier` (``budget_share,
        proposal_budget, value, greedy_value``).
    currency : str
        Currency of the budget axis.
    unit : str, optional
        Unit of the value axis; default ``frontier.attrs["unit"]``.
    """
    unit = gettext(unit or frontier.attrs.get("unit", "cost of delay"))
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 3.4))
    x = frontier["proposal_budget"]
    ax.plot(x, frontier["value"], marker="o", color=primary, label=gettext("Best selection (exact)"))
    ax.plot(x, frontier["greedy_value"], marker="s", linestyle="--", color=GREY,
            label=gettext("Taken in WSJF order (goal guardrails not checked)"))
    now = frontier.loc[(frontier["budget_share"] - 1.0).abs() < 1e-9]
    if len(now):
        ax.axvline(float(now["proposal_budget"].iloc[0]), color=STATUS_COLOURS["amber"], linestyle=":", linewidth=1.2,
                   label=gettext("Current proposal budget"))
    ax.legend(loc="lower right")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    if i18n.current_locale() is not None:
        _whole_ticks(ax.xaxis)
        _whole_ticks(ax.yaxis)
    title = _frontier_title(frontier, unit=unit)
    return _finish(fig, ax, title, gettext("Budget for proposals ({currency})").format(currency=currency),
                   gettext("Selected value ({unit})").format(unit=_wrap(unit, 30)))


def _frontier_title(frontier: pd.DataFrame, *, unit: str) -> str:
    ordered = frontier.sort_values("budget_share")
    if ordered.empty:
        return gettext("No proposals to select")
    top = float(ordered["value"].max())
    now = ordered.loc[(ordered["budget_share"] - 1.0).abs() < 1e-9, "value"]
    if now.empty:
        return gettext("The best selection delivers up to {value} {unit}").format(value=i18n.number(top), unit=unit)
    current = float(now.iloc[0])
    if top <= current + 1e-9:
        return gettext("A larger budget for proposals adds no value: the best selection already fits")
    first = float(ordered.loc[ordered["value"] >= top - 1e-9, "budget_share"].iloc[0])
    return gettext("{share} more budget for proposals would add {value} {unit}").format(
        share=i18n.percent(first - 1), value=i18n.number(top - current), unit=unit)


def scenario_value_bars(summary: pd.DataFrame, *, unit: str | None = None, primary: str = "#1f4e79") -> plt.Figure:
    """Each scenario's selection value beside the base case's, with its goals outside the guardrails.

    Parameters
    ----------
    summary : DataFrame
        ``ScenarioComparison.summary`` from :func:`pmo_lib.compare_scenarios`.
    """
    unit = gettext(unit or (str(summary["value_unit"].iloc[0]) if len(summary) else "cost of delay"))
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.45 * max(len(summary), 1) + 1.4))
    data = summary.iloc[::-1]
    base = float(summary["selection_value"].iloc[0]) if len(summary) else 0.0
    colours = [primary if i == len(data) - 1 else "#7f9cb8" for i in range(len(data))]
    ax.barh([_wrap(str(i18n.shown(n)), 28) for n in data["scenario"]], data["selection_value"], color=colours)
    for y, (value, outside) in enumerate(zip(data["selection_value"], data["goals_outside"])):
        flagged = isinstance(outside, str) and bool(outside)
        note = f" {i18n.number(value)}" + ("  ▲ " + gettext("goals outside their guardrail") if flagged
                                            else "")  # the table names them
        ax.text(value, y, note, va="center", ha="left", fontsize=8)
    ax.axvline(base, color=GREY, linewidth=0.8, linestyle="--")
    lim = float(data["selection_value"].max()) if len(data) else 1.0
    ax.set_xlim(0, max(lim, 1.0) * 1.8)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    if i18n.current_locale() is not None:
        _whole_ticks(ax.xaxis)
    ax.grid(axis="y", visible=False)
    best = summary.loc[summary["selection_value"].idxmax(), "scenario"] if len(summary) else ""
    title = (gettext("'{scenario}' starts the most valuable work").format(scenario=i18n.shown(best))
             if len(summary) > 1 and best != summary["scenario"].iloc[0]
             else gettext("No scenario starts more valuable work than the base case"))
    return _finish(fig, ax, title, gettext("Value of the proposals started ({unit})").format(unit=_wrap(unit, 40)), "")


def capacity_bars(capacity: pd.DataFrame, *, cycle: str, max_utilisation: float,
                  primary: str = "#1f4e79") -> plt.Figure:
    """Each team's demand as a share of its capacity in one cycle, with the utilisation limit and 100%.

    ``capacity`` comes from :func:`pmo_lib.capacity_utilisation`. An overloaded
    team's bar is red and says so in words; the others take the primary colour
    (never green: a load below the limit is not an achievement).
    """
    data = capacity[(capacity["cycle"] == cycle) & capacity["utilisation"].notna()]
    data = data.sort_values(["utilisation", "team"], ascending=[True, False], kind="stable").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.45 * len(data) + 1.6))
    y = np.arange(len(data))
    over = data["overloaded"].astype(bool).to_numpy()
    ax.barh(y, data["utilisation"], color=[STATUS_COLOURS["red"] if o else primary for o in over], height=0.6)
    ax.axvline(max_utilisation, color="black", linestyle="--", linewidth=1.2,
               label=gettext("Limit: {limit} of capacity").format(limit=i18n.percent(max_utilisation)))
    ax.axvline(1.0, color=GREY, linestyle=":", linewidth=1.2,
               label=gettext("Full capacity ({full})").format(full=i18n.percent(1.0)))
    for yi, row in data.iterrows():
        mark = f"  {STATUS_SYMBOLS['red']} " + gettext("overloaded") if row["overloaded"] else ""
        # right of the 100% line, so that no label crosses the limit lines
        ax.text(max(row["utilisation"], 1.0) + 0.02, yi, gettext("{share} ({demand} of {capacity} days){mark}").format(
            share=i18n.percent(row["utilisation"]), demand=i18n.number(row["demand_days"]),
            capacity=i18n.number(row["capacity_days"]), mark=mark), va="center", fontsize=9)
    ax.set_yticks(y, data["team"])
    _percent_ticks(ax.xaxis)
    right = max(float(data["utilisation"].max()) if len(data) else 0.0, 1.0)
    ax.set_xlim(0, right + 0.75)
    ax.set_xticks(np.arange(0, np.ceil(right * 5) / 5 + 0.001, 0.2))  # no ticks under the labels
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2)
    ax.grid(axis="y", visible=False)
    hit = data[over]
    if hit.empty:
        title = gettext("Every team is within the {limit} load limit in {cycle}").format(
            limit=i18n.percent(max_utilisation), cycle=cycle)
    elif len(hit) == 1:
        r = hit.iloc[-1]
        title = gettext("{team} is overloaded in {cycle}: {share} of its capacity").format(
            team=r["team"], cycle=cycle, share=i18n.percent(r["utilisation"]))
    else:
        title = gettext("{count} teams are overloaded in {cycle}").format(count=len(hit), cycle=cycle)
    return _finish(fig, ax, title, gettext("Demand as a share of the team's capacity (person-days)"), "")
