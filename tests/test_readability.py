"""The plain-English measure used on participant pages counts as its published formula says."""

import pytest

from .readability import page_blocks, readability, syllables


@pytest.mark.parametrize(("word", "expected"), [
    ("cat", 1), ("answer", 2), ("statement", 2), ("participant", 4), ("important", 3),
    ("9", 1), ("qwzzle", 1),
])
def test_syllables_come_from_the_pronouncing_dictionary(word, expected):
    assert syllables(word) == expected


def test_grade_follows_kincaid_1975():
    # 2 sentences, 10 words; syllables: the(1) cat(1) sat(1) on(1) the(1) mat(1)
    # it(1) was(1) very(2) happy(2) = 12.
    measure = readability(["The cat sat on the mat. It was very happy."])
    assert (measure.words, measure.sentences, measure.syllables) == (10, 2, 12)
    assert measure.grade == pytest.approx(0.39 * 5 + 11.8 * 1.2 - 15.59)


def test_blocks_come_from_main_only_and_study_text_can_be_removed():
    html = """<html><head><title>Title words</title></head><body>
      <header><a>Skip me</a></header>
      <main><h1>Hip fracture study</h1><p>Choose a score.</p>
      <ul><li>One</li><li>Two</li></ul><script>var x = 1;</script>
      <button>Save and continue</button></main></body></html>"""
    assert page_blocks(html) == [
        "Hip fracture study", "Choose a score.", "One", "Two", "Save and continue"
    ]
    assert page_blocks(html, remove=["Hip fracture study"])[0] == "Choose a score."
