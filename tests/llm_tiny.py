"""A tiny random Llama model and word-level tokenizer with a chat template, for the LLM unit tests.

Lets the tests of :mod:`hybridrec_ref.llm` run in seconds without the 98 MB model.
"""

from __future__ import annotations

import torch

WORDS = ("Yes No The user liked disliked these movies movie : ; . , ? \" Will the like Answer or "
         "You are a recommender system with embedding User Item Describe in keywords Toy Story Heat Casino "
         "Alien Fargo Up Jaws (none) assistant system user").split()
CHAT = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def tiny_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"[UNK]": 0, "<|im_end|>": 1, "<|im_start|>": 2}
    for w in WORDS:
        vocab.setdefault(w, len(vocab))
    tk = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tk.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()])
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="[UNK]", eos_token="<|im_end|>",
                                  pad_token="<|im_end|>", additional_special_tokens=["<|im_start|>"])
    tok.chat_template = CHAT
    return tok


def tiny_lm(seed: int = 0):
    from transformers import LlamaConfig, LlamaForCausalLM

    from hybridrec_ref.llm import PretrainedLM

    tok = tiny_tokenizer()
    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                      pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, bos_token_id=tok.eos_token_id)
    model = LlamaForCausalLM(cfg).eval()
    return PretrainedLM(model, tok, torch.device("cpu"), torch.float32, f"tiny-llama-{seed}")
