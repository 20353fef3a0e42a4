"""hybridrec_ref: the tested reference package of the book *Fusing Language Models with Recommender Systems*.

Subpackages mirror the book's parts: ``data`` (chapter 1), ``eval`` (chapters 1, 9),
``cf`` (chapters 1, 3). Every recommender follows :class:`hybridrec_ref.base.Recommender`.
"""

__version__ = "0.1.0"
