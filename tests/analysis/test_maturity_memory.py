"""The scored answers a report reuses: remembered only while the answers, the model and the options are unchanged."""
from __future__ import annotations

import pandas as pd

from pmo_lib import load_workspace, respondent_scores, scored_answers
from pmo_lib.inputs.config import Maturity


def test_equal_answers_get_an_equal_copy_that_the_caller_may_change(tiny):
    ws = load_workspace(tiny)
    answers = ws["assessment"][ws["assessment"]["cycle"] == "C3"]
    first = respondent_scores(answers, ws.model)
    first.loc[:, "score"] = -1.0  # the caller's copy: changing it leaves the remembered result alone
    again = respondent_scores(answers.copy(), ws.model)
    assert (again["score"] > 0).all()
    pd.testing.assert_frame_equal(again, respondent_scores.__wrapped__(answers, ws.model))


def test_answers_changed_in_place_are_scored_again(tiny):
    ws = load_workspace(tiny)
    answers = ws["assessment"][ws["assessment"]["cycle"] == "C3"].copy()
    before = scored_answers(answers, ws.model)
    answers.loc[answers.index[0], "score"] = 1.0 if answers["score"].iloc[0] != 1.0 else 2.0
    after = scored_answers(answers, ws.model)
    assert not before.equals(after)
    pd.testing.assert_frame_equal(after, scored_answers.__wrapped__(answers, ws.model))


def test_other_options_or_a_changed_model_are_scored_again(tiny):
    ws = load_workspace(tiny)
    answers = ws["assessment"][ws["assessment"]["cycle"] == "C3"]
    plain = respondent_scores(answers, ws.model)
    weighted = respondent_scores(answers, ws.model, options=Maturity(min_answered=1.0))
    pd.testing.assert_frame_equal(
        weighted, respondent_scores.__wrapped__(answers, ws.model, options=Maturity(min_answered=1.0)))
    # a model changed in place: F3 (answered one lower than F1 and F2 by everyone) weighs 5, so flow drops
    ws.model.items.loc[ws.model.items["item_id"].eq("F3"), "weight"] = 5.0
    changed = respondent_scores(answers, ws.model)
    pd.testing.assert_frame_equal(changed, respondent_scores.__wrapped__(answers, ws.model))
    flow = changed["dimension_id"].eq("flow")
    assert (changed.loc[flow, "score"] < plain.loc[flow, "score"]).all()
