"""A pretrained generative LLM as a recommender and fused with CF (chapter 10, {ref}`ch-llm`).

- :func:`load_pretrained_lm`: SmolLM2-135M-Instruct, verified against the manifest, offline
  (or any Hugging Face model); :class:`PretrainedLM` with per-forward autocast;
- :func:`yes_no_prompt` and :func:`score_yes_no`: a user's history as item text, one candidate,
  score = logit(Yes) - logit(No); :func:`generate` for free text;
- :func:`yes_no_samples`, :func:`auc`, :func:`auc_interval`: TALLRec's protocol on any rated
  dataset with item text; :func:`add_lora`, :func:`yes_no_loss`, :func:`train_steps`, :func:`learning_curve`: LoRA tuning;
- :class:`CFProjection`, :class:`SoftTokens`: CoLLM-style CF embeddings as soft tokens;
- :class:`LLMReranker`: LLM re-ranking of CF candidates; :func:`keyword_texts`, :func:`review_summaries`:
  LLM-written item text, and :func:`invented_share`, what it makes up;
- :class:`ScoreCache`: verified score cache; :func:`measure_costs`: the cost table;
- :class:`LLMEncoder`: the LLM as a text encoder (mean-pooled hidden states; chapter 11).
"""

from .cache import ScoreCache, score_identity
from .collm import CFProjection, SoftTokens, cf_vectors, projection_scale
from .costs import measure_costs, peak_memory_mb
from .embedding import LLMEncoder
from .itemtext import clean_keywords, invented_share, keyword_texts, review_summaries
from .loader import DEFAULT_LM, PretrainedLM, bf16_supported, load_pretrained_lm, resolve_dtype, verified_gguf
from .prompts import (ITEM_SLOT, SYSTEM, USER_SLOT, keywords_prompt, render, summary_prompt, yes_no_prompt,
                      yes_no_question)
from .rerank import LLMReranker, liked_disliked_texts
from .samples import YesNoSamples, auc, auc_interval, pair_features, yes_no_samples
from .scoring import answer_ids, encode_prompts, generate, last_logits, score_yes_no
from .tuning import add_lora, learning_curve, reset_adapter, train_steps, trainable_parameters, yes_no_loss

__all__ = ["load_pretrained_lm", "PretrainedLM", "DEFAULT_LM", "bf16_supported", "resolve_dtype", "verified_gguf",
           "yes_no_prompt", "yes_no_question", "render", "keywords_prompt", "SYSTEM", "USER_SLOT", "ITEM_SLOT",
           "answer_ids", "encode_prompts", "last_logits", "score_yes_no", "generate",
           "YesNoSamples", "yes_no_samples", "auc", "auc_interval", "pair_features",
           "add_lora", "reset_adapter", "yes_no_loss", "train_steps", "learning_curve", "trainable_parameters",
           "CFProjection", "SoftTokens", "cf_vectors", "projection_scale",
           "LLMReranker", "liked_disliked_texts", "keyword_texts", "clean_keywords", "review_summaries",
           "invented_share", "summary_prompt",
           "ScoreCache", "score_identity", "measure_costs", "peak_memory_mb", "LLMEncoder"]
