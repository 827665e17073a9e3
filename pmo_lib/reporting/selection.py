"""The investment decisions in words and tables: which proposals to start, and how the optimal
reallocation differs from moving money step by step."""
from __future__ import annotations

import pandas as pd

from ..analysis.optimise import LOWER_VALUE, UNIT_COST_OF_DELAY, Selection
from ..inputs.text import plural
from .report import esc

#: The words of the selection table's "Why" column for a proposal the rules did not stop.
_WHY = {"selected": "Best value within the limits", "must fund": "Funded regardless, as the board decided",
        "must stop": "Not to be started, as the board decided",
        LOWER_VALUE: "Fits on its own, but the chosen set is worth more"}


def _names(initiatives: pd.DataFrame) -> pd.Series:
    return initiatives.set_index("initiative_id")["name"]


def _label(ident: object, names: pd.Series) -> str:
    return f"{ident} {names.get(ident, '')}".strip()


def _amount(value: float, unit: str, currency: str) -> str:
    """A selection value in its unit: money per week, or relative points."""
    if unit == UNIT_COST_OF_DELAY:
        return f"{currency} {value:,.0f} a week"
    return plural(round(value), "cost-of-delay point")


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
    why = [_WHY.get(b) or f"Would break {b}" for b in table["binding"]]
    return pd.DataFrame({"proposal": [_label(i, names) for i in table["initiative_id"]],
                         "start": table["selected"].map({True: "Yes", False: "No"}),
                         "requested_budget": table["requested_budget"], "cost_of_delay": table["cost_of_delay"],
                         "why": why}).reset_index(drop=True)


def selection_text(selection: Selection, initiatives: pd.DataFrame, *, currency: str, next_cycle: str) -> str:
    """What the best selection starts, what it is worth, and how it compares with taking proposals in WSJF order."""
    if selection.infeasible:
        return f"No selection of proposals meets the rules: {esc(selection.infeasible)}"
    names = _names(initiatives)
    chosen = selection.table.loc[selection.table["selected"], "initiative_id"].tolist()
    unit = selection.unit
    if not chosen:
        text = (f"No proposal can start in {esc(next_cycle)} within the budget for proposals "
                f"({currency} {selection.proposal_budget:,.0f}) and the teams' capacity.")
    else:
        text = (f"The best selection starts {plural(len(chosen), 'proposal')} in {esc(next_cycle)}: "
                f"{', '.join(esc(_label(i, names)) for i in chosen)}, for {currency} {selection.budget_used:,.0f} of the "
                f"{currency} {selection.proposal_budget:,.0f} available. Together their delay would cost "
                f"{_amount(selection.value, unit, currency)}.")
    greedy = list(selection.greedy_selected)
    missed = [i for i in greedy if i not in chosen]
    if selection.gain_over_greedy > 0.5:
        text += (f" Taking proposals in WSJF order while money and capacity last would start "
                 f"{', '.join(esc(_label(i, names)) for i in greedy) or 'none'}, worth "
                 f"{_amount(selection.greedy_value, unit, currency)}: the best selection is worth "
                 f"{_amount(selection.gain_over_greedy, unit, currency)} more.")
    elif selection.gain_over_greedy < -0.5:
        text += (f" Taking proposals in WSJF order would be worth {_amount(selection.greedy_value, unit, currency)}, "
                 f"but only by putting goals outside their guardrails by {currency} {selection.greedy_breach:,.0f}.")
    else:
        text += " Taking proposals in WSJF order would do as well."
    if missed and selection.gain_over_greedy > 0.5:
        text += (f" WSJF order would fund {', '.join(esc(_label(i, names)) for i in missed)}, which the best "
                 f"selection leaves out: {'its' if len(missed) == 1 else 'their'} money and team time buy more "
                 "elsewhere.")
    if selection.breach > 0.5:
        text += (f" No selection keeps every goal within its guardrail; this one leaves the goals outside by "
                 f"{currency} {selection.breach:,.0f} in total, the least possible.")
    return text


def selection_agenda_item(selection: Selection | None, initiatives: pd.DataFrame, *, currency: str,
                          next_cycle: str) -> str | None:
    """The board's decision on the proposals, for :func:`pmo_lib.next_agenda`; ``None`` when there is none."""
    if selection is None or selection.table.empty:
        return None
    if selection.infeasible:
        return f"Resolve the funding decisions fixed in advance: {esc(selection.infeasible)}"
    names = _names(initiatives)
    chosen = selection.table.loc[selection.table["selected"], "initiative_id"].tolist()
    if not chosen:
        return None
    spent = (f"the whole {currency} {selection.proposal_budget:,.0f} set aside"
             if abs(selection.budget_used - selection.proposal_budget) < 0.5 else
             f"{currency} {selection.budget_used:,.0f} of the {currency} {selection.proposal_budget:,.0f} set aside")
    item = (f"Approve, amend or reject starting {plural(len(chosen), 'proposal')} in {esc(next_cycle)} "
            f"({spent}): "
            f"{', '.join(esc(_label(i, names)) for i in chosen)}.")
    if selection.breach > 0.5:
        item += " No choice keeps every goal within its guardrail: agree which goal gives way."
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
        return ("Moving money step by step, from the lowest value scores to the highest, would give the same "
                "scenario.")
    names = optimal.set_index("initiative_id")["name"]
    listed = ", ".join(f"{esc(i)} {esc(names[i])} {currency} {a[i] - b[i]:+,.0f}" for i in a.index[differs][:6])
    more = f" and {int(differs.sum()) - 6:,} more" if differs.sum() > 6 else ""
    return (f"The scenario is the best the rules allow, solved exactly. Weighted by budget, the average value score "
            f"rises from {average(optimal, 'budget'):.1f} now to {average(optimal, 'scenario_budget'):.1f} under the "
            f"scenario, against {average(greedy, 'scenario_budget'):.1f} when money moves step by step from the lowest "
            f"value scores to the highest. Against those step-by-step moves, {plural(int(differs.sum()), 'initiative')} "
            f"{'gets' if differs.sum() == 1 else 'get'} more (+) or less (−): {listed}{more}.")
