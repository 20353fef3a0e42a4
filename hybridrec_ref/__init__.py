"""hybridrec_ref: the tested reference package of the book *Fusing Language Models with Recommender Systems*.

Subpackages follow the book's parts:

- ``data``: datasets, the shared ``Interactions``/``Dataset`` containers, item text, splits (chapter 1);
- ``eval``: metrics, the evaluation protocol, significance tests (chapters 1 and 9);
- ``lm``: n-gram, LSTM and Transformer language models (chapter 2);
- ``cf``: baselines, neighbourhood models, MF, BPR, ALS, EASE (chapters 1 and 3);
- ``content``: TF-IDF and transformer text encoders, content profiles (chapter 4);
- ``deep``: NCF, Caser, GRU4Rec, SASRec (chapter 5);
- ``fusion``: hybrid designs and training strategies (chapters 6 and 7);
- ``llm``: a pretrained generative LLM, offline and verified: prompts, Yes/No scoring, LoRA tuning,
  CoLLM-style CF soft tokens, re-ranking, generated item text, score cache (chapter 10);
- ``tuning``: validation grid search; ``perf``: device selection and seeding; ``viz``: plot style;
  ``notebook``: the chapters' setup call and ``record``.

Every recommender follows :class:`hybridrec_ref.base.Recommender`; every torch model trains with the
one loop of :mod:`hybridrec_ref.train` (MF and BPR keep chapter 3's hand-written SGD).
"""

__version__ = "0.1.0"
