"""LLM-written item text (chapter 12): the summary prompt, greedy summaries, and what they invent."""

import math

import pytest
from llm_tiny import tiny_lm

from hybridrec_ref.llm import generate, invented_share, review_summaries, summary_prompt


def test_summary_prompt_lists_every_review_through_the_chat_template():
    lm = tiny_lm()
    p = summary_prompt(lm.tokenizer, ["Soft and warm.", "Runs small."])
    assert p.startswith("<|im_start|>system\nYou are a helpful assistant.")
    assert "- Soft and warm.\n- Runs small.\n" in p and p.endswith("<|im_start|>assistant\n")
    with pytest.raises(ValueError, match="at least one review"):
        summary_prompt(lm.tokenizer, [])


def test_summaries_read_cut_reviews_and_keep_the_first_line():
    lm = tiny_lm()
    reviews = [["Toy Story Heat Casino Alien Fargo", "Up"], ["Jaws"]]
    summaries, shown = review_summaries(lm, reviews, review_words=3, max_new_tokens=6)
    assert shown == [["Toy Story Heat", "Up"], ["Jaws"]]
    # the same greedy generation, by hand, first non-empty line
    answers = generate(lm, [summary_prompt(lm.tokenizer, s) for s in shown], max_new_tokens=6)
    assert summaries == [next((x.strip() for x in a.splitlines() if x.strip()), "") for a in answers]
    assert all("\n" not in s for s in summaries)


def test_invented_share_counts_long_words_missing_from_the_sources():
    sources = ["A soft cotton dress, runs small.", "Lovely colour"]
    assert invented_share("Soft cotton dress in a lovely colour", sources) == 0.0
    # 'silk' and 'luxurious' are not in the reviews; 'in', 'a' are too short to count
    assert invented_share("A luxurious silk dress", sources) == pytest.approx(2 / 3)
    assert math.isnan(invented_share("in a", sources))
    # plural forms are not matched to singular ones: the measure errs towards "invented"
    assert invented_share("dresses", sources) == 1.0
