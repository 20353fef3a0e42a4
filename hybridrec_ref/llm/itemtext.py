"""LLM-written item text: keywords for cold items (chapter 10, {ref}`sec-llm-itemtext`) and
summaries of reviews (chapter 12, {ref}`sec-ecom-summaries`).

A cold item has only its title. :func:`keyword_texts` asks the LLM for a few
keywords about each title ("genre, mood, themes") and appends them to the item
text; the text is then encoded (MiniLM, chapter 4) and fed to chapter 6's cold
map (:class:`~hybridrec_ref.fusion.NeighbourMap` in
:class:`~hybridrec_ref.fusion.FeatureAugmentationHybrid`). A 135M model knows little about
most films and invents plausible words; whether that helps is measured, not assumed.

:func:`review_summaries` asks for a one-sentence description of an item from a few of its
reviews, and :func:`invented_share` measures how much of a generated text has no source in
what the model was shown (a crude, reproducible check of what it makes up).
"""

from __future__ import annotations

import re
from typing import Sequence

from ..validation import check_int, check_texts
from .prompts import keywords_prompt, summary_prompt
from .scoring import generate


def clean_keywords(answer: str, max_words: int = 8) -> str:
    """The first non-empty line of a generated answer, reduced to at most ``max_words`` comma-separated keywords.

    A leading "Keywords:" label is dropped.
    """
    lines = [x.strip() for x in answer.splitlines() if x.strip()]
    line = re.sub(r"^(keywords?\s*:)\s*", "", lines[0], flags=re.I) if lines else ""
    words = [w.strip(" .;:-*\"'") for w in re.split(r"[,;]", line)]
    words = [w for w in words if w and len(w) < 40]
    return ", ".join(words[:max_words])


def keyword_texts(lm, titles: Sequence[str], base_texts: Sequence[str] | None = None, domain: str = "movie",
                  n_words: int = 5, max_new_tokens: int = 20, batch_size: int = 32,
                  verbose: bool = False) -> tuple[list[str], list[str]]:
    """``(texts, keywords)``: ``base_texts[i] + ". Keywords: " + keywords`` and the raw cleaned keywords.

    ``base_texts`` defaults to ``titles``. Generation is greedy (reproducible).
    """
    titles = check_texts(titles, "titles")
    base = titles if base_texts is None else check_texts(base_texts, "base_texts")
    if len(base) != len(titles):
        raise ValueError(f"{len(base)} base texts for {len(titles)} titles")
    check_int("n_words", n_words)
    prompts = [keywords_prompt(lm.tokenizer, t, domain, n_words) for t in titles]
    answers = generate(lm, prompts, max_new_tokens=max_new_tokens, batch_size=batch_size, verbose=verbose)
    keywords = [clean_keywords(a) for a in answers]
    texts = [f"{b}. Keywords: {k}" if k else b for b, k in zip(base, keywords)]
    return texts, keywords


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def review_summaries(lm, reviews: Sequence[Sequence[str]], domain: str = "clothing item", review_words: int = 50,
                     max_new_tokens: int = 40, batch_size: int = 8,
                     verbose: bool = False) -> tuple[list[str], list[list[str]]]:
    """``(summaries, shown)``: one greedy one-sentence summary per item from its reviews.

    ``reviews[i]`` are the review texts of item ``i`` to show, each cut to its first
    ``review_words`` words (``shown[i]``, what the model actually read). The summary is the
    first line of the answer.
    """
    check_int("review_words", review_words)
    shown = [[" ".join(r.split()[:review_words]) for r in check_texts(rs, f"reviews[{i}]")]
             for i, rs in enumerate(reviews)]
    prompts = [summary_prompt(lm.tokenizer, rs, domain) for rs in shown]
    answers = generate(lm, prompts, max_new_tokens=max_new_tokens, batch_size=batch_size, verbose=verbose)
    summaries = [next((x.strip() for x in a.splitlines() if x.strip()), "") for a in answers]
    return summaries, shown


def invented_share(text: str, sources: Sequence[str], min_length: int = 4) -> float:
    """Share of ``text``'s words of at least ``min_length`` letters that occur in none of ``sources``.

    Words are lower-cased letter runs; a word counts as sourced if it appears in any source
    (so "dresses" for "dress" counts as invented: the measure errs towards "invented").
    NaN when ``text`` has no such word.
    """
    seen = set(w for s in check_texts(sources, "sources") for w in _words(s))
    words = [w for w in _words(text) if len(w) >= min_length]
    if not words:
        return float("nan")
    return sum(w not in seen for w in words) / len(words)
