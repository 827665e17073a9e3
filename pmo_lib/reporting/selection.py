"""The investment decisions in words and tables: which proposals to start, and how the optimal
reallocation differs from moving money step by step."""
from __future__ import annotations

import pandas as pd

from ..analysis.optimise import LOWER_VALUE, UNIT_COST_OF_DELAY, Selection
from ..inputs import i18n
from ..inputs.i18n import N_, gettext, ngettext
from .report import esc

#: The words of the selection table's "Why" column for a proposal the rules did not stop.
_WHY = {"selected": N_("Best value within the limits"), "must fund": N_("Funded regardless, as the board decided"),
        "must stop": N_("Not to be started, as the board decided"),
        LOWER_VALUE: N_("Fits on its own, but the chosen set is worth more")}


def _names(initiatives: pd.DataFrame) -> pd.Series:
    return initiatives.set_index("initiative_id")["name"]


def _label(ident: object, names: pd.Series) -> str:
    return f"{ident} {names.get(ident, '')}".strip()


def _money(value: float, currency: str) -> str:
    """English keeps its own money format (``EUR 1,500,000``); other languages their locale's (``1.500.000 €``)."""
    return f"{currency} {value:,.0f}" if i18n.current_locale() is None else i18n.money(value, currency)


def _amount(value: float, unit: str, currency: str) -> str:
    """A selection value in its unit: money per week, or relative points."""
    if unit == UNIT_COST_OF_DELAY:
        return gettext("{amount} a week").format(amount=_money(value, currency))
    return ngettext("{count} cost-of-delay point", "{count} cost-of-delay points", round(value)).format(
        count=i18n.number(round(value)))


def _listed(idents, names: pd.Series) -> str:
    return ", ".join(esc(_label(i, names)) for i in idents)


def selection_view(selection: Selection, initiatives: pd.DataFrame) -> pd.DataFrame:
    """:attr:`Selection.table` for the reader: names, yes or no, and the reason in words.

    Returns
    -------
    DataFrame
        Columns ``proposal, start, requested_budget, cost_of_delay, why``,
        the proposals started first, then by cost of delay.
    """
    names = _names(initiatives)
    table = selection.table.sort_values(["selected", "cost_of_delay", "initiative_id"], ascending=[False, False, True],
                                        kind="stable")
    why = [gettext(_WHY[b]) if b in _WHY else gettext("Would break {limits}").format(limits=i18n.shown(b))
           for b in table["binding"]]
    return pd.DataFrame({"proposal": [_label(i, names) for i in table["initiative_id"]],
                         "start": table["selected"].map({True: gettext("Yes"), False: gettext("No")}),
                         "requested_budget": table["requested_budget"], "cost_of_delay": table["cost_of_delay"],
                         "why": why}).reset_index(drop=True)


def selection_text(selection: Selection, initiatives: pd.DataFrame, *, currency: str, next_cycle: str) -> str:
    """What the best selection starts, what it is worth, and how it compares with taking proposals in WSJF order."""
    if selection.infeasible:
        if selection.infeasible.startswith("No selection meets the rules"):  # it says so itself (the English it records)
            return esc(selection.infeasible)
        return gettext("No selection of proposals meets the rules: {reason}").format(reason=esc(selection.infeasible))
    names = _names(initiatives)
    chosen = selection.table.loc[selection.table["selected"], "initiative_id"].tolist()
    unit = selection.unit
    if not chosen:
        text = gettext("No proposal can start in {next_cycle} within the budget for proposals ({budget}) and the "
                       "teams' capacity.").format(next_cycle=esc(next_cycle),
                                                  budget=_money(selection.proposal_budget, currency))
    else:
        text = ngettext("The best selection starts {count} proposal in {next_cycle}: {proposals}, for {used} of the "
                        "{budget} available. Together their delay would cost {value}.",
                        "The best selection starts {count} proposals in {next_cycle}: {proposals}, for {used} of the "
                        "{budget} available. Together their delay would cost {value}.", len(chosen)).format(
            count=i18n.number(len(chosen)), next_cycle=esc(next_cycle), proposals=_listed(chosen, names),
            used=_money(selection.budget_used, currency), budget=_money(selection.proposal_budget, currency),
            value=_amount(selection.value, unit, currency))
    greedy = list(selection.greedy_selected)
    missed = [i for i in greedy if i not in chosen]
    if selection.gain_over_greedy > 0.5:
        text += " " + gettext("Taking proposals in WSJF order while money and capacity last would start {proposals}, "
                              "worth {value}: the best selection is worth {gain} more.").format(
            proposals=_listed(greedy, names) or gettext("none"), value=_amount(selection.greedy_value, unit, currency),
            gain=_amount(selection.gain_over_greedy, unit, currency))
    elif selection.gain_over_greedy < -0.5:
        text += " " + gettext("Taking proposals in WSJF order would be worth {value}, but only by putting goals outside "
                              "their guardrails by {breach}.").format(
            value=_amount(selection.greedy_value, unit, currency), breach=_money(selection.greedy_breach, currency))
    else:
        text += " " + gettext("Taking proposals in WSJF order would do as well.")
    if missed and selection.gain_over_greedy > 0.5:
        text += " " + ngettext("WSJF order would fund {proposals}, which the best selection leaves out: its money and "
                               "team time buy more elsewhere.",
                               "WSJF order would fund {proposals}, which the best selection leaves out: their money and "
                               "team time buy more elsewhere.", len(missed)).format(proposals=_listed(missed, names))
    if selection.breach > 0.5:
        text += " " + gettext("No selection keeps every goal within its guardrail; this one leaves the goals outside by "
                              "{breach} in total, the least possible.").format(breach=_money(selection.breach, currency))
    return text


def selection_agenda_item(selection: Selection | None, initiatives: pd.DataFrame, *, currency: str,
                          next_cycle: str) -> str | None:
    """The board's decision on the proposals, for :func:`pmo_lib.next_agenda`; ``None`` when there is none."""
    if selection is None or selection.table.empty:
        return None
    if selection.infeasible:
        return gettext("Resolve the funding decisions fixed in advance: {reason}").format(
            reason=esc(selection.infeasible))
    names = _names(initiatives)
    chosen = selection.table.loc[selection.table["selected"], "initiative_id"].tolist()
    if not chosen:
        return None
    spent = (gettext("the whole {budget} set aside").format(budget=_money(selection.proposal_budget, currency))
             if abs(selection.budget_used - selection.proposal_budget) < 0.5 else
             gettext("{used} of the {budget} set aside").format(used=_money(selection.budget_used, currency),
                                                                budget=_money(selection.proposal_budget, currency)))
    item = ngettext("Approve, amend or reject starting {count} proposal in {next_cycle} ({spent}): {proposals}.",
                    "Approve, amend or reject starting {count} proposals in {next_cycle} ({spent}): {proposals}.",
                    len(chosen)).format(count=i18n.number(len(chosen)), next_cycle=esc(next_cycle), spent=spent,
                                        proposals=_listed(chosen, names))
    if selection.breach > 0.5:
        item += " " + gettext("No choice keeps every goal within its guardrail: agree which goal gives way.")
    return item


def reallocation_difference(optimal: pd.DataFrame, greedy: pd.DataFrame, *, smallest_move: float,
                            currency: str) -> str:
    """How the optimal reallocation differs from moving money step by step, in two sentences.

    Both frames are :func:`pmo_lib.reallocation_scenario` / :func:`pmo_lib.greedy_reallocation`
    results for the same cycle. The optimum maximises value score × budget summed over the
    initiatives, so it shows as the highest budget-weighted average value score.
    """
    def average(frame: pd.DataFrame, column: str) -> float:
        """The budget-weighted average value score: what a euro of the budget goes to, on average."""
        scored = frame.dropna(subset=["value_score"])
        total = float(scored[column].sum())
        return float((scored["value_score"] * scored[column]).sum()) / total if total else float("nan")

    a = optimal.set_index("initiative_id")["scenario_budget"]
    b = greedy.set_index("initiative_id")["scenario_budget"].reindex(a.index)
    differs = a.sub(b).abs() > smallest_move
    if not differs.any():
        return gettext("Moving money step by step, from the lowest value scores to the highest, would give the same "
                       "scenario.")
    names = optimal.set_index("initiative_id")["name"]

    def moved(value: float) -> str:
        if i18n.current_locale() is None:
            return f"{currency} {value:+,.0f}"
        return ("+" if value > 0 else "−" if value < 0 else "") + i18n.money(abs(value), currency)

    listed = ", ".join(f"{esc(i)} {esc(names[i])} {moved(a[i] - b[i])}" for i in a.index[differs][:6])
    count = int(differs.sum())
    more = gettext(" and {count} more").format(count=i18n.number(count - 6)) if count > 6 else ""
    return ngettext(
        "The scenario is the best the rules allow, solved exactly. Weighted by budget, the average value score rises "
        "from {now} now to {scenario} under the scenario, against {greedy} when money moves step by step from the "
        "lowest value scores to the highest. Against those step-by-step moves, {count} initiative gets more (+) or "
        "less (−): {listed}{more}.",
        "The scenario is the best the rules allow, solved exactly. Weighted by budget, the average value score rises "
        "from {now} now to {scenario} under the scenario, against {greedy} when money moves step by step from the "
        "lowest value scores to the highest. Against those step-by-step moves, {count} initiatives get more (+) or "
        "less (−): {listed}{more}.", count).format(
        now=i18n.number(average(optimal, "budget"), 1), scenario=i18n.number(average(optimal, "scenario_budget"), 1),
        greedy=i18n.number(average(greedy, "scenario_budget"), 1), count=i18n.number(count), listed=listed, more=more)


def priority_cuts(scenario: pd.DataFrame, ranked: pd.DataFrame, *, smallest_move: float, currency: str,
                  top_share: float = 0.25) -> str:
    """The budget scenario's cuts to the work ranked first, and why, in a sentence per initiative.

    The scenario follows value scores (the value an initiative has delivered for its money); the
    ranking follows WSJF (what delay would cost from now on). A cut to an initiative in the top
    ``top_share`` of the ranking is where the two views collide, so the report says so where the
    cut is shown, with the value score that drives it, rather than leave the board to find the
    contradiction between the priorities and the funding sections.

    Parameters
    ----------
    scenario : DataFrame
        :func:`pmo_lib.reallocation_scenario` (``initiative_id, name, value_score, budget, change``).
    ranked : DataFrame
        :func:`pmo_lib.priorities` (``initiative_id, rank``).
    smallest_move : float
        ``funding.smallest_move``: smaller changes are no cut.
    currency : str
    top_share : float
        The share of the ranking counted as its top (at least the first).

    Returns
    -------
    str
        Markdown-free sentences; empty when the scenario cuts no top-ranked initiative.
    """
    if ranked.empty or scenario.empty:
        return ""
    total = len(ranked)
    top = max(1, int(-(-total * top_share // 1)))  # the top quarter, rounded up
    rank = ranked.set_index("initiative_id")["rank"]
    scored = scenario.dropna(subset=["value_score"])
    median = float(scored["value_score"].median()) if len(scored) else float("nan")
    cut = scenario[(scenario["change"] < -smallest_move) & scenario["initiative_id"].map(rank).le(top)]
    sentences = []
    for r in cut.assign(rank=cut["initiative_id"].map(rank)).sort_values("rank").itertuples(index=False):
        sentences.append(gettext(
            "{initiative} is number {rank} of {total} in the WSJF ranking, yet the scenario cuts its budget by "
            "{share} ({amount}): the scenario follows the value delivered so far (its value score is {score}, "
            "against a median of {median}), while the ranking looks at what delay would cost from now on. Keeping "
            "its budget means cutting elsewhere; the board decides which weighs more.").format(
            initiative=f"{r.initiative_id} {r.name}", rank=i18n.number(int(r.rank)), total=i18n.number(total),
            share=i18n.percent(-r.change / r.budget) if r.budget else "–", amount=_money(-r.change, currency),
            score=i18n.number(r.value_score), median=i18n.number(median)))
    return " ".join(sentences)
