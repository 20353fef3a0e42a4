"""Prompt templates: a user's history as item text, a question about one candidate (chapter 10, {ref}`sec-llm-prompts`).

TALLRec's instruction format {cite}`bao2023tallrec`: the items a user liked and
disliked, as text, then "Will the user like <candidate>? Answer Yes or No."
:func:`yes_no_prompt` renders it through the tokenizer's *chat template* (the
instruction-tuned model was trained on that format; without it SmolLM2 answers
"No" to nearly everything). ``soft_tokens=True`` adds the CoLLM-style slots
:data:`USER_SLOT` and :data:`ITEM_SLOT` where collaborative embeddings are
inserted ({ref}`sec-llm-collm`).
"""

from __future__ import annotations

from typing import Sequence

from ..validation import check_texts

SYSTEM = "You are a recommender system. Answer with Yes or No."
USER_SLOT, ITEM_SLOT = "<|user_emb|>", "<|item_emb|>"


def _titles(items: Sequence[str]) -> str:
    return "; ".join(items) if len(items) else "(none)"


def yes_no_question(liked: Sequence[str], disliked: Sequence[str], candidate: str, domain: str = "movie",
                    soft_tokens: bool = False) -> str:
    """The user turn: liked and disliked item texts, then the question about ``candidate``."""
    liked, disliked = check_texts(liked, "liked"), check_texts(disliked, "disliked")
    if not isinstance(candidate, str) or not candidate.strip():
        raise ValueError(f"candidate must be a non-empty string, got {candidate!r}")
    lines = [f"The user liked these {domain}s: {_titles(liked)}.",
             f"The user disliked these {domain}s: {_titles(disliked)}."]
    if soft_tokens:
        lines.append(f"User embedding: {USER_SLOT}. Item embedding: {ITEM_SLOT}.")
    lines.append(f'Will the user like the {domain} "{candidate}"? Answer Yes or No.')
    return "\n".join(lines)


def render(tokenizer, question: str, chat: bool = True, system: str = SYSTEM) -> str:
    """The full prompt text: through the chat template (``chat=True``) or plain "question + Answer:"."""
    if not chat:
        return f"{system}\n{question}\nAnswer:"
    if getattr(tokenizer, "chat_template", None) is None:
        raise ValueError("this tokenizer has no chat template; pass chat=False")
    messages = [{"role": "system", "content": system}, {"role": "user", "content": question}]
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def yes_no_prompt(tokenizer, liked, disliked, candidate, domain: str = "movie", chat: bool = True,
                  soft_tokens: bool = False) -> str:
    """:func:`yes_no_question` rendered for ``tokenizer`` (see :func:`render`)."""
    return render(tokenizer, yes_no_question(liked, disliked, candidate, domain, soft_tokens), chat=chat)


def keywords_prompt(tokenizer, title: str, domain: str = "movie", n_words: int = 5) -> str:
    """Ask for a few keywords describing an item from its title (LLM-written item text, {ref}`sec-llm-itemtext`)."""
    question = (f"Describe the {domain} \"{title}\" in {n_words} keywords (genre, mood, themes), "
                "separated by commas. Reply with the keywords only, for example: "
                "crime, heist, suspense, dark, ensemble cast")
    return render(tokenizer, question, system="You are a helpful assistant.")


def summary_prompt(tokenizer, reviews: Sequence[str], domain: str = "clothing item") -> str:
    """Ask for a one-sentence description of an item from some of its reviews (chapter 12, {ref}`sec-ecom-summaries`)."""
    reviews = check_texts(reviews, "reviews")
    if not reviews:
        raise ValueError("summary_prompt needs at least one review")
    listed = "\n".join(f"- {r}" for r in reviews)
    question = (f"Customer reviews of one {domain}:\n{listed}\n"
                f"Describe this {domain} in one sentence: what it is, its material, fit and colour.")
    return render(tokenizer, question, system="You are a helpful assistant.")
