"""Language-model foundations (chapter 2): corpora, n-gram/LSTM/Transformer LMs, training,
perplexity, sampling, a genre classifier, and LMs as next-item recommenders."""

from .evaluate import cross_entropy, perplexity, token_nll
from .generate import sample
from .neural import LSTMLM, TransformerLM
from .ngram import NGramLM
from .recommender import LMRecommender
from .train import load_checkpoint, save_checkpoint, train_lm
from .vocab import (BOS_ID, EOS_ID, N_SPECIAL, PAD_ID, UNK_ID, Vocabulary, item_sentences, item_text_corpus,
                    tokenize)

__all__ = ["Vocabulary", "tokenize", "item_text_corpus", "item_sentences", "PAD_ID", "UNK_ID", "BOS_ID",
           "EOS_ID", "N_SPECIAL", "NGramLM", "LSTMLM", "TransformerLM", "train_lm", "save_checkpoint",
           "load_checkpoint", "token_nll", "cross_entropy", "perplexity", "sample", "LMRecommender"]
