"""CHNRI scoring: criterion scores, Research Priority Score and Average Expert Agreement.

The Child Health and Nutrition Research Initiative method (Rudan et al., Croat Med J
2008;49:720–33; J Glob Health 2016;6:010501) asks each expert a set of yes / undecided / no
questions about every research option, grouped under criteria such as answerability,
effectiveness, deliverability, burden reduction and equity.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

ANSWERS = (0.0, 0.5, 1.0)


@dataclass(frozen=True)
class ChnriScores:
    """CHNRI scores, one row per research option.

    Attributes
    ----------
    criteria : tuple
        Criterion labels, in the column order of `criterion_scores`.
    criterion_scores : numpy.ndarray, shape (options, criteria)
        0–100; NaN where the option received no answer on any of the criterion's questions.
    n_answers : numpy.ndarray, shape (options, criteria)
        Answers received (blanks excluded) behind each criterion score.
    rps : numpy.ndarray, shape (options,)
        Research Priority Score, 0–100 (weighted when weights are given); NaN when a criterion
        with positive weight has no score.
    aea : numpy.ndarray, shape (options,)
        Average Expert Agreement as commonly computed, 0–1; NaN when no question was answered.
    """

    criteria: tuple
    criterion_scores: np.ndarray
    n_answers: np.ndarray
    rps: np.ndarray
    aea: np.ndarray


def chnri(answers, weights=None, criteria=None):
    r"""Score research options by the CHNRI method.

    Parameters
    ----------
    answers : array_like, shape (experts, options, questions)
        1 = yes, 0.5 = undecided, 0 = no, ``np.nan`` = don't know / not answered. Blanks are
        left out of every numerator and denominator.
    weights : sequence or mapping, optional
        Non-negative criterion weights, in the order of the result's ``criteria`` or as a
        mapping from criterion label to weight. Default: every criterion weighs the same.
    criteria : sequence or mapping, optional
        Which criterion each question belongs to: either a sequence with one criterion label
        per question (``["answerability", "answerability", "equity", ...]``), or a mapping
        from criterion label to the indices of its questions (every question in exactly
        one criterion). Criteria keep the order in which they first appear. Default: each
        question is its own criterion, labelled by its index.

    Returns
    -------
    ChnriScores

    Notes
    -----
    Criterion score, **pooled** over the criterion's questions (Rudan et al. 2008: the sum of
    the received answers divided by the number of received answers):

    .. math:: CS_{oc} = 100 \, \frac{\sum_{e,\, q \in c} a_{eoq}}{\#\{(e, q \in c): a_{eoq}
              \text{ received}\}}

    so a question answered by more experts counts for more within its criterion; this is
    not the mean of per-question means. Research Priority Score
    :math:`RPS_o = \sum_c w_c CS_{oc} / \sum_c w_c` (equal weights: the mean of the criterion
    scores). A criterion with no answers leaves the RPS undefined rather than silently
    re-weighting the others.

    Average Expert Agreement **as commonly computed** (the original wording and the handling
    of blanks are unconfirmed):

    .. math:: AEA_o = \frac{1}{Q_o} \sum_q \frac{\max_v \#\{e: a_{eoq} = v\}}
              {\#\{e: a_{eoq} \text{ received}\}}

    over the :math:`Q_o` questions with at least one answer; with three possible answers it
    lies between 1/3 and 1.

    Examples
    --------
    Three experts, one option, two questions, each its own criterion. Question 0 gets
    yes, yes, undecided: CS = 100 × 2.5 / 3 = 83.33. Question 1 gets no, blank, yes:
    CS = 100 × 1 / 2 = 50. RPS = (83.33 + 50) / 2 = 66.67; with weights (2, 1) it is
    (2 × 83.33 + 50) / 3 = 72.22. AEA = (2/3 + 1/2) / 2 = 0.583.

    >>> answers = np.array([[[1, 0]], [[1, np.nan]], [[0.5, 1]]])
    >>> scores = chnri(answers)
    >>> np.round(scores.criterion_scores, 2).tolist(), np.round(scores.rps, 2).tolist()
    ([[83.33, 50.0]], [66.67])
    >>> np.round(chnri(answers, weights=[2, 1]).rps, 2).tolist()
    [72.22]
    >>> np.round(scores.aea, 3).tolist()
    [0.583]
    """
    data = _valid_answers(answers)
    labels, membership = _criteria(criteria, data.shape[2])
    weight = _weights(weights, labels)
    received = ~np.isnan(data)
    per_question_sum = np.where(received, data, 0.0).sum(axis=0)
    per_question_n = received.sum(axis=0)
    n_answers = per_question_n @ membership
    with np.errstate(invalid="ignore", divide="ignore"):
        criterion_scores = 100.0 * (per_question_sum @ membership) / n_answers
        used = weight > 0
        rps = criterion_scores[:, used] @ weight[used] / weight[used].sum()
        modal = np.max([(data == v).sum(axis=0) for v in ANSWERS], axis=0) / per_question_n
        answered = per_question_n > 0
        aea = np.where(answered, modal, 0.0).sum(axis=1) / answered.sum(axis=1)
    return ChnriScores(
        criteria=labels,
        criterion_scores=criterion_scores,
        n_answers=n_answers,
        rps=rps,
        aea=aea,
    )


def _float_array(values, name):
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be numbers (np.nan = blank): {err}") from None


def _valid_answers(answers):
    data = _float_array(answers, "answers")
    if data.ndim != 3:
        raise ValueError(
            f"answers must be experts x options x questions (3-D), got shape {data.shape}"
        )
    if 0 in data.shape:
        raise ValueError(
            f"answers needs at least one expert, option and question, got shape {data.shape}"
        )
    bad = ~np.isnan(data) & ~np.isin(data, ANSWERS)
    if bad.any():
        raise ValueError(
            f"answers must be 1, 0.5, 0 or nan, got {data[bad][0]:g} "
            f"(expert {np.argwhere(bad)[0][0]})"
        )
    return data


def _criteria(criteria, n_questions):
    """Criterion labels in first-seen order and a questions × criteria 0/1 membership matrix."""
    if criteria is None:
        per_question = list(range(n_questions))
    elif isinstance(criteria, Mapping):
        per_question = [None] * n_questions
        for label, questions in criteria.items():
            for question in np.atleast_1d(questions).tolist():
                if (
                    not isinstance(question, int)
                    or not 0 <= question < n_questions
                    or per_question[question] is not None
                ):
                    raise ValueError(
                        f"criteria: question {question!r} of criterion {label!r} is out of "
                        f"range or already in another criterion"
                    )
                per_question[question] = label
        if None in per_question:
            raise ValueError(f"criteria: question {per_question.index(None)} has no criterion")
    else:
        per_question = np.asarray(criteria, dtype=object)
        if per_question.shape != (n_questions,):
            raise ValueError(
                f"criteria must give one label per question ({n_questions}), "
                f"got shape {per_question.shape}"
            )
        per_question = per_question.tolist()
    labels = tuple(dict.fromkeys(per_question))
    column = {label: i for i, label in enumerate(labels)}
    membership = np.zeros((n_questions, len(labels)))
    membership[np.arange(n_questions), [column[label] for label in per_question]] = 1.0
    return labels, membership


def _weights(weights, labels):
    if weights is None:
        return np.ones(len(labels))
    if isinstance(weights, Mapping):
        if set(weights) != set(labels):
            raise ValueError(
                f"weights must name exactly the criteria {list(labels)}, got {list(weights)}"
            )
        weights = [weights[label] for label in labels]
    weight = _float_array(weights, "weights")
    if weight.shape != (len(labels),):
        raise ValueError(
            f"weights must have one entry per criterion ({len(labels)}), got shape {weight.shape}"
        )
    if not np.isfinite(weight).all() or (weight < 0).any() or weight.sum() == 0:
        raise ValueError(
            f"weights must be finite and non-negative, not all zero, got {weight.tolist()}"
        )
    return weight
