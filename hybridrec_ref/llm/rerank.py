"""The LLM as a re-ranker of CF candidates (chapter 10, {ref}`sec-llm-rerank`).

A cascade (chapter 6's design, {ref}`ch-hybrid`) in which the expensive model
only sees what the cheap one proposes: a CF model ranks every item, its top
``n_candidates`` per user are scored by the LLM (Yes/No logit difference on a
prompt built from the user's latest training ratings), and the two scores are
merged on the candidate set: ``(1 - llm_weight) * z(CF) + llm_weight * z(LLM)``,
each standardised per user over the candidates. Candidates stay above every
other item, which keep their CF order. Scores go through the verified
:class:`~hybridrec_ref.llm.cache.ScoreCache` when ``cache_dir`` is set.
"""

from __future__ import annotations

import numpy as np
import torch

from ..base import Recommender, clone
from ..data.interactions import Interactions
from ..validation import check_int, check_real
from .cache import ScoreCache, score_identity
from .prompts import yes_no_prompt
from .scoring import score_yes_no


def liked_disliked_texts(train: Interactions, texts, n_history: int = 5,
                         like: float = 4) -> dict[int, tuple[list, list]]:
    """Each user's latest ``n_history`` training ratings as ``(liked texts, disliked texts)``.

    The prompt's view of a history; :func:`hybridrec_ref.deep.sequential.user_histories` is the
    sequential models' (item windows), hence the different name.
    """
    if train.ratings is None:
        raise ValueError("user histories need ratings (liked vs disliked)")
    time = train.timestamps if train.timestamps is not None else np.arange(len(train))
    order = np.lexsort((np.arange(len(train)), time, train.users))
    users, items, ratings = train.users[order], train.items[order], train.ratings[order]
    out = {}
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    for s, e in zip(starts, np.r_[starts[1:], len(users)]):
        h = range(max(s, e - n_history), e)
        out[int(users[s])] = ([texts[items[j]] for j in h if ratings[j] >= like],
                              [texts[items[j]] for j in h if ratings[j] < like])
    return out


class LLMReranker(Recommender):
    """Re-rank a CF model's top ``n_candidates`` with LLM Yes/No scores.

    Parameters
    ----------
    cf_model : an unfitted factor/CF recommender (a clone is fitted).
    lm : a :class:`~hybridrec_ref.llm.loader.PretrainedLM` (optionally tuned).
    item_texts : one text per item (the prompts' item names).
    n_candidates, llm_weight : candidates per user and the LLM's share of the merged score.
    n_history, like, domain : how the user's history is written into the prompt.
    batch_size : prompts per forward pass; cache_dir : folder of the score cache (``None``: no cache).
    """

    def __init__(self, cf_model: Recommender, lm, item_texts, n_candidates: int = 20, llm_weight: float = 0.5,
                 n_history: int = 5, like: float = 4, domain: str = "movie", batch_size: int = 16, cache_dir=None):
        self.cf_model, self.lm, self.item_texts = cf_model, lm, item_texts
        self.n_candidates = check_int("n_candidates", n_candidates)
        self.llm_weight = check_real("llm_weight", llm_weight, 0.0, 1.0)
        self.n_history, self.like, self.domain = check_int("n_history", n_history), like, domain
        self.batch_size, self.cache_dir = check_int("batch_size", batch_size), cache_dir

    def _fit(self, train: Interactions) -> None:
        if len(self.item_texts) != train.n_items:
            raise ValueError(f"item_texts has {len(self.item_texts)} entries for {train.n_items} items")
        self.cf_ = clone(self.cf_model).fit(train)
        self.histories_ = liked_disliked_texts(train, list(self.item_texts), self.n_history, self.like)
        self.n_scored_ = 0

    def llm_scores(self, users: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """LLM scores of ``candidates[r, j]`` for ``users[r]`` (shape of ``candidates``)."""
        prompts = []
        for u, row in zip(users, candidates):
            liked, disliked = self.histories_.get(int(u), ([], []))
            prompts += [yes_no_prompt(self.lm.tokenizer, liked, disliked, self.item_texts[i], self.domain)
                        for i in row]
        identity = score_identity(self.lm.model_id, kind="yes_no", dtype=str(self.lm.dtype))
        scores = ScoreCache(self.cache_dir).get_or_compute(
            identity, prompts, lambda p: score_yes_no(self.lm, p, batch_size=self.batch_size))
        self.n_scored_ += len(prompts)
        return scores.reshape(candidates.shape)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        cf = self.cf_.score(users).float().clone()
        seen = self.seen_[users]
        masked = cf.clone()
        r, c = seen.nonzero()
        masked[torch.as_tensor(r), torch.as_tensor(c)] = -torch.inf
        k = min(self.n_candidates, cf.shape[1])
        top = torch.topk(masked, k, dim=1).indices

        def z(x):
            return (x - x.mean(1, keepdim=True)) / x.std(1, keepdim=True).clamp_min(1e-6)

        merged = z(torch.gather(cf, 1, top))
        if self.llm_weight > 0:  # weight 0 is the CF ranking itself: no prompt is scored
            llm = torch.as_tensor(self.llm_scores(users, top.cpu().numpy()), dtype=torch.float32, device=cf.device)
            merged = (1 - self.llm_weight) * merged + self.llm_weight * z(llm)
        out = cf - cf.max() - 10.0  # every non-candidate below every candidate, CF order kept
        out.scatter_(1, top, merged + 10.0 + merged.abs().max())
        return out
