"""hybridrec_ref: the tested reference package of the book *Fusing Language Models with Recommender Systems*.

Subpackages follow the book's parts:

- ``data``: datasets, the shared ``Interactions``/``Dataset`` containers, item text, splits (chapter 1);
- ``eval``: metrics, the evaluation protocol, significance tests (chapters 1 and 9);
- ``lm``: n-gram, LSTM and Transformer language models (chapter 2);
- ``cf``: baselines, neighbourhood models, MF, BPR, ALS, EASE (chapters 1 and 3);
- ``content``: TF-IDF and transformer text encoders, content profiles (chapter 4);
- ``deep``: NCF, Caser, GRU4Rec, SASRec (chapter 5);
- ``fusion``: hybrid designs and training strategies (chapters 6 and 7);
- ``tuning``: validation grid search; ``perf``: device selection and seeding; ``viz``: plot style.

Every recommender follows :class:`hybridrec_ref.base.Recommender`.
"""

__version__ = "0.1.0"
