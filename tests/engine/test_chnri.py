"""CHNRI scores against a hand-computed exercise (Rudan et al., Croat Med J 2008;49:720-33)."""

import doctest
import importlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal

from delphi.engine import chnri

nan = np.nan
CRITERIA = ["answerability", "answerability", "equity", "equity"]


def exercise():
    """Four experts x two research options x four questions (two per criterion).

    1 = yes, 0.5 = undecided, 0 = no, nan = blank ("don't know").
    """
    answers = np.full((4, 2, 4), nan)
    # Option A, answers of experts 1-4 to each question.
    answers[:, 0, 0] = [1, 1, 1, 0]
    answers[:, 0, 1] = [1, 0, nan, nan]
    answers[:, 0, 2] = [0, 0, 1, nan]
    answers[:, 0, 3] = [0.5, 0.5, 0.5, 0.5]
    # Option B: no answers at all on the equity questions.
    answers[:, 1, 0] = [0, 0, 0, 0]
    answers[:, 1, 1] = [1, 1, 1, 1]
    return answers


# Hand computation (criterion score = received answers summed over the criterion's
# questions, divided by their number; Rudan et al. 2008):
# A, answerability: (1+1+1+0) + (1+0) = 4 over 4 + 2 = 6 answers -> 100 x 4/6 = 66.67
#    (the mean of question means would be (75 + 50) / 2 = 62.5: not what CHNRI does).
# A, equity: (0+0+1) + (4 x 0.5) = 3 over 3 + 4 = 7 answers -> 100 x 3/7 = 42.86.
# A, RPS = (66.67 + 42.86) / 2; weighted 2:1 -> (2 x 66.67 + 42.86) / 3.
# A, AEA: modal shares 3/4 (Q0), 1/2 (Q1: one yes, one no), 2/3 (Q2), 4/4 (Q3) -> mean.
# B, answerability: (0 x 4 + 1 x 4) / 8 = 50; equity: no answers -> undefined, so is RPS.
# B, AEA: Q0 and Q1 unanimous, Q2 and Q3 unanswered (left out) -> 1.
CS_A = [100 * 4 / 6, 100 * 3 / 7]
AEA_A = (3 / 4 + 1 / 2 + 2 / 3 + 1) / 4


def test_hand_computed_exercise():
    result = chnri(exercise(), criteria=CRITERIA)
    assert result.criteria == ("answerability", "equity")
    assert_allclose(result.criterion_scores[0], CS_A, rtol=1e-14)
    assert result.criterion_scores[1, 0] == 50
    assert np.isnan(result.criterion_scores[1, 1])
    assert_array_equal(result.n_answers, [[6, 7], [8, 0]])
    assert result.rps[0] == pytest.approx(sum(CS_A) / 2, rel=1e-14)
    assert np.isnan(result.rps[1])
    assert result.aea[0] == pytest.approx(AEA_A, rel=1e-14)
    assert result.aea[1] == 1


def test_weighted_rps():
    # Weighted RPS = sum(w CS) / sum(w) (Rudan et al. 2008).
    result = chnri(exercise(), weights=[2, 1], criteria=CRITERIA)
    assert result.rps[0] == pytest.approx((2 * CS_A[0] + CS_A[1]) / 3, rel=1e-14)
    by_name = chnri(exercise(), weights={"equity": 1, "answerability": 2}, criteria=CRITERIA)
    assert_array_equal(by_name.rps, result.rps)


def test_a_zero_weight_criterion_without_answers_does_not_void_the_rps():
    # Option B has no equity answers; with equity weighted 0 its RPS is answerability alone.
    result = chnri(exercise(), weights=[1, 0], criteria=CRITERIA)
    assert result.rps[1] == 50


def test_criteria_as_a_mapping_equal_criteria_as_labels():
    by_label = chnri(exercise(), criteria=CRITERIA)
    by_map = chnri(exercise(), criteria={"answerability": [0, 1], "equity": [2, 3]})
    assert by_map.criteria == by_label.criteria
    assert_array_equal(by_map.criterion_scores, by_label.criterion_scores)


def test_default_each_question_is_its_own_criterion():
    # Option A per question: 3/4, 1/2, 1/3, 1/2 -> 75, 50, 33.3, 50.
    result = chnri(exercise())
    assert result.criteria == (0, 1, 2, 3)
    assert_allclose(result.criterion_scores[0], [75, 50, 100 / 3, 50], rtol=1e-14)
    assert result.rps[0] == pytest.approx((75 + 50 + 100 / 3 + 50) / 4, rel=1e-14)


@st.composite
def answer_sets(draw):
    shape = draw(st.tuples(st.integers(1, 6), st.integers(1, 4), st.integers(1, 5)))
    return draw(hnp.arrays(float, shape, elements=st.sampled_from([0.0, 0.5, 1.0, nan])))


@given(answer_sets(), st.randoms())
def test_scores_are_bounded_and_ignore_expert_order(answers, random):
    experts = list(range(answers.shape[0]))
    random.shuffle(experts)
    first = chnri(answers)
    second = chnri(answers[experts])
    assert_allclose(second.criterion_scores, first.criterion_scores, rtol=1e-12)
    assert_allclose(second.aea, first.aea, rtol=1e-12)
    scores = first.criterion_scores[~np.isnan(first.criterion_scores)]
    assert ((scores >= 0) & (scores <= 100)).all()
    aea = first.aea[~np.isnan(first.aea)]
    assert ((aea >= 1 / 3 - 1e-12) & (aea <= 1)).all()


@given(answer_sets())
def test_aea_matches_a_direct_count(answers):
    # Independent count: per option and question, the most common answer's share among
    # those who answered, averaged over the answered questions.
    result = chnri(answers)
    for option in range(answers.shape[1]):
        shares = []
        for question in range(answers.shape[2]):
            given_answers = answers[:, option, question]
            given_answers = given_answers[~np.isnan(given_answers)]
            if given_answers.size:
                _, counts = np.unique(given_answers, return_counts=True)
                shares.append(counts.max() / given_answers.size)
        if shares:
            assert result.aea[option] == pytest.approx(np.mean(shares), rel=1e-12)
        else:
            assert np.isnan(result.aea[option])


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (np.full((2, 1, 1), 0.3), "1, 0.5, 0 or nan, got 0.3"),
        (np.full((2, 1, 1), 2.0), "got 2"),
        (np.full((2, 1, 1), np.inf), "got inf"),
        (np.ones((2, 3)), "3-D"),
        (np.ones((0, 1, 1)), "at least one expert"),
        ([[["yes"]]], "numbers"),
    ],
)
def test_bad_answers_are_named(answers, message):
    with pytest.raises(ValueError, match=message):
        chnri(answers)


def test_bad_criteria_and_weights_are_named():
    answers = exercise()
    with pytest.raises(ValueError, match="one label per question"):
        chnri(answers, criteria=["a", "b"])
    with pytest.raises(ValueError, match="question 1 .* already in another"):
        chnri(answers, criteria={"a": [0, 1], "b": [1, 2, 3]})
    with pytest.raises(ValueError, match="question 3 has no criterion"):
        chnri(answers, criteria={"a": [0, 1], "b": [2]})
    with pytest.raises(ValueError, match="one entry per criterion"):
        chnri(answers, weights=[1, 2], criteria=None)
    with pytest.raises(ValueError, match="non-negative"):
        chnri(answers, weights=[1, -1], criteria=CRITERIA)
    with pytest.raises(ValueError, match="not all zero"):
        chnri(answers, weights=[0, 0], criteria=CRITERIA)
    with pytest.raises(ValueError, match="name exactly the criteria"):
        chnri(answers, weights={"answerability": 1}, criteria=CRITERIA)


def test_docstring_examples():
    # delphi.engine.chnri is the function; the module is reached through importlib.
    module = importlib.import_module("delphi.engine.chnri")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
