"""One conformance suite for every public recommender (scikit-learn's ``parametrize_with_checks``, issue 9).

Every class exported by a subpackage that subclasses ``Recommender`` must have a
factory in ``FACTORIES`` (small settings, a tiny synthetic data set); the first
test fails when a new public model is added without one. Each model then goes
through the same checks: the constructor stores its arguments unchanged; ``fit``
returns ``self``; ``clone`` gives an unfitted copy with equal parameters and
leaves the original untouched; ``score`` has the right shape and dtype and no
NaN; ``recommend`` returns no training item and no duplicate; the same seed
gives the same scores; misuse (unfitted model, bad users, bad ``k``, 2-D user
arrays) raises a clear error.
"""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from hybridrec_ref.base import NotFittedError, Recommender, clone
from hybridrec_ref.data import Interactions
from hybridrec_ref.hashing import content_hash

SUBPACKAGES = ("cf", "content", "deep", "fusion", "lm", "llm", "tuning", "perf", "eval", "data")
N_USERS, N_ITEMS, DIM = 24, 30, 8
#: exported for subclassing, not for use
BASES = {"SequentialRecommender"}


def _public_recommenders() -> dict[str, type]:
    found = {}
    for sub in SUBPACKAGES:
        try:
            mod = importlib.import_module(f"hybridrec_ref.{sub}")
        except ModuleNotFoundError:
            continue
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if inspect.isclass(obj) and issubclass(obj, Recommender) and name not in BASES:
                found[name] = obj
    return found


def _data() -> Interactions:
    rng = np.random.default_rng(0)
    pairs = {(u, i) for u in range(N_USERS) for i in rng.choice(N_ITEMS - 4, size=rng.integers(4, 9), replace=False)}
    users, items = map(np.array, zip(*sorted(pairs)))
    ratings = rng.integers(1, 6, size=len(users)).astype(np.float32)
    timestamps = rng.permutation(len(users)).astype(np.int64) * 1000
    return Interactions(users, items, N_USERS, N_ITEMS, ratings=ratings, timestamps=timestamps)


DATA = _data()
RNG = np.random.default_rng(1)
FEATURES = RNG.normal(size=(N_ITEMS, DIM)).astype(np.float32)
TRUST = sp.random(N_USERS, N_USERS, density=0.1, random_state=2, format="csr", data_rvs=np.ones)
USER_FEATURES = RNG.normal(size=(N_USERS, 3)).astype(np.float32)
ITEMS = pd.DataFrame({"text": [f"item {i} about topic {i % 5}" for i in range(N_ITEMS)],
                      "genres": [["Drama"] if i % 2 else ["Comedy", "Drama"] for i in range(N_ITEMS)],
                      "year": [1990 + i % 10 for i in range(N_ITEMS)]})


class _FakeEncoder:
    """Deterministic stand-in for MiniLM (the conformance checks need no language model)."""

    def encode(self, texts):
        return np.stack([np.random.default_rng(abs(hash(t)) % 2**32).normal(size=DIM) for t in texts])


TINY_LM = None


def _factories():
    from llm_tiny import tiny_lm

    from hybridrec_ref import cf, content, deep, fusion, llm, lm, perf

    global TINY_LM
    TINY_LM = TINY_LM or tiny_lm()          # a 2-layer random Llama: the protocol, not the language
    pop = lambda: cf.MostPopular(device="cpu")  # noqa: E731
    als = lambda: cf.ALS(n_factors=4, n_iters=2, reg=1.0, alpha=2.0, device="cpu")  # noqa: E731
    knn = lambda: cf.ItemKNN(k=5, feedback="implicit", device="cpu")  # noqa: E731
    prof = lambda: content.ContentRecommender(FEATURES, device="cpu")  # noqa: E731
    seq = dict(max_len=5, n_factors=8, n_epochs=1, batch_size=16, device="cpu")
    return {
        "MostPopular": (cf.MostPopular, dict(device="cpu")),
        "BiasBaseline": (cf.BiasBaseline, dict(n_epochs=2, device="cpu")),
        "UserKNN": (cf.UserKNN, dict(k=5, device="cpu")),
        "ItemKNN": (cf.ItemKNN, dict(k=5, feedback="implicit", device="cpu")),
        "MatrixFactorization": (cf.MatrixFactorization, dict(n_factors=4, n_epochs=2, device="cpu")),
        "BPR": (cf.BPR, dict(n_factors=4, n_epochs=2, batch_size=32, device="cpu")),
        "ALS": (cf.ALS, dict(n_factors=4, n_iters=2, reg=1.0, alpha=2.0, device="cpu")),
        "EASE": (cf.EASE, dict(lam=10.0, device="cpu")),
        "SocialMF": (cf.SocialMF, dict(trust=TRUST, n_factors=4, n_epochs=3, device="cpu")),
        "ContentRecommender": (content.ContentRecommender, dict(item_features=FEATURES, device="cpu")),
        "RestrictedRecommender": (content.RestrictedRecommender, dict(model=pop(), candidates=np.arange(20))),
        "NCF": (deep.NCF, dict(n_factors=4, layers=(8, 4), n_epochs=1, batch_size=64, device="cpu")),
        "Caser": (deep.Caser, dict(window=2, n_h=2, n_v=2, **seq)),
        "GRU4Rec": (deep.GRU4Rec, dict(**seq)),
        "SASRec": (deep.SASRec, dict(n_blocks=1, n_heads=1, **seq)),
        "LMRecommender": (lm.LMRecommender, dict(kind="ngram", device="cpu")),
        "WeightedHybrid": (fusion.WeightedHybrid, dict(components={"pop": pop(), "content": prof()},
                                                       weights={"pop": 1.0, "content": 0.5})),
        "SwitchingHybrid": (fusion.SwitchingHybrid, dict(primary=knn(), fallback=pop(), min_history=6)),
        "CascadeHybrid": (fusion.CascadeHybrid, dict(first=pop(), second=prof(), n_candidates=20)),
        "MetaLevelHybrid": (fusion.MetaLevelHybrid, dict(item_features=FEATURES, k=5, device="cpu")),
        "FeatureAugmentationHybrid": (fusion.FeatureAugmentationHybrid, dict(factor_model=als(), item_features=FEATURES,
                                                         calibrate=False)),
        "MixedHybrid": (fusion.MixedHybrid, dict(
            warm_model=fusion.FeatureAugmentationHybrid(als(), FEATURES, item_map=fusion.NeighbourMap(k=3),
                                              calibrate=False),
            max_rank=10, n_splits=1, valid_test_frac=0.2)),
        "HybridRecommender": (fusion.HybridRecommender, dict(items=ITEMS, cf_model=als(), encoder=_FakeEncoder(),
                                                             calibrate=False, device="cpu")),
        "TwoTowerHybrid": (fusion.TwoTowerHybrid, dict(item_text=FEATURES, n_factors=4, n_negatives=8, n_epochs=1,
                                                       batch_size=64, device="cpu")),
        "GatedFusion": (fusion.GatedFusion, dict(experts={"cf": als(), "content": prof()},
                                                 abstain_on_cold=("cf",), n_steps=5)),
        "FeatureMF": (fusion.FeatureMF, dict(item_features=FEATURES, user_features=USER_FEATURES, n_factors=4,
                                             n_epochs=1, batch_size=64, device="cpu")),
        "DemographicPopularity": (fusion.DemographicPopularity, dict(user_groups=np.arange(N_USERS) % 3,
                                                                     device="cpu")),
        "LLMReranker": (llm.LLMReranker, dict(cf_model=pop(), lm=TINY_LM, item_texts=list(ITEMS["text"]),
                                              n_candidates=15)),
        "FactorScores": (perf.FactorScores, dict(user_factors=USER_FEATURES, item_factors=FEATURES[:, :3])),
        "DistributedMF": (perf.DistributedMF, dict(n_factors=4, n_epochs=2, batch_size=64, device="cpu")),
        "SparkALS": (perf.SparkALS, dict(n_factors=4, n_iters=2, threads=1, blocks=1)),
        "SharedFit": (fusion.SharedFit, dict(model=als(), cache=fusion.FitCache())),
    }


FACTORIES = _factories()
PUBLIC = _public_recommenders()
#: models that score some items -inf by design: outside a candidate set, or a user's training items
RESTRICTING = {"RestrictedRecommender", "CascadeHybrid", "MixedHybrid"}


def _same(a, b) -> bool:
    if isinstance(a, Recommender) or isinstance(b, Recommender):
        return a is b
    try:
        return content_hash(a) == content_hash(b) or bool(np.all(np.asarray(a) == np.asarray(b)))
    except (TypeError, ValueError):
        return a is b or a == b


def _build(name):
    cls, kwargs = FACTORIES[name]
    return cls(**kwargs)


_fitted: dict[str, Recommender] = {}


def _fitted_model(name):
    if name not in _fitted:
        torch.set_num_threads(1)
        model = _build(name)
        assert model.fit(DATA) is model, f"{name}.fit must return self"
        _fitted[name] = model
    return _fitted[name]


def test_every_public_recommender_has_a_factory():
    missing = sorted(set(PUBLIC) - set(FACTORIES))
    assert not missing, f"add these public recommenders to FACTORIES in {__file__}: {missing}"
    assert {"ALS", "WeightedHybrid", "GatedFusion"} <= set(PUBLIC)   # the discovery itself works


NAMES = sorted(FACTORIES)


@pytest.mark.parametrize("name", NAMES)
def test_constructor_stores_arguments_unchanged(name):
    cls, kwargs = FACTORIES[name]
    model = cls(**kwargs)
    params = model.get_params()
    for key, value in kwargs.items():
        assert _same(params[key], value), f"{name} changed its argument {key!r}: {value!r} -> {params[key]!r}"
    learned = [a for a in vars(model) if a.endswith("_") and not a.startswith("_")]
    assert not learned, f"{name}.__init__ sets learned-state attributes {learned}"


@pytest.mark.parametrize("name", NAMES)
def test_clone_is_unfitted_with_equal_parameters(name):
    model = _fitted_model(name)
    copy = clone(model)
    assert type(copy) is type(model) and copy is not model
    assert not hasattr(copy, "n_users_"), f"clone of {name} carries fitted state"
    assert content_hash(copy.get_params()) == content_hash(model.get_params())
    for key, value in model.get_params().items():       # children are copies, never shared
        if isinstance(value, Recommender):
            assert copy.get_params()[key] is not value


@pytest.mark.parametrize("name", NAMES)
def test_fitting_a_composite_leaves_the_callers_children_unfitted(name):
    model = _fitted_model(name)
    children = [v for v in model.get_params().values() if isinstance(v, Recommender)]
    children += [c for v in model.get_params().values() if isinstance(v, dict)
                 for c in v.values() if isinstance(c, Recommender)]
    for child in children:
        assert not hasattr(child, "n_users_"), f"{name} fitted the child {type(child).__name__} it was given"


@pytest.mark.parametrize("name", NAMES)
def test_score_shape_dtype_and_values(name):
    model = _fitted_model(name)
    users = np.array([0, 3, 5, N_USERS - 1])
    s = model.score(users)
    assert isinstance(s, torch.Tensor) and s.dtype.is_floating_point
    assert tuple(s.shape) == (len(users), N_ITEMS)
    assert not torch.isnan(s).any(), f"{name} scores contain NaN"
    assert not (s == torch.inf).any()
    if name not in RESTRICTING:
        assert torch.isfinite(s).all(), f"{name} scores contain -inf"


@pytest.mark.parametrize("name", NAMES)
def test_recommend_excludes_training_items_and_duplicates(name):
    model = _fitted_model(name)
    users = np.arange(N_USERS)
    recs = model.recommend(users, k=10)
    assert recs.shape == (N_USERS, 10)
    seen = DATA.to_csr("ones")
    for u, row in zip(users, recs):
        assert len(set(row.tolist())) == len(row), f"{name} recommends an item twice to user {u}"
        assert not seen[u, row].toarray().any(), f"{name} recommends a training item to user {u}"


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_gives_the_same_scores(name):
    users = np.arange(N_USERS)
    torch.set_num_threads(1)
    a = _build(name).fit(DATA).score(users)
    b = _build(name).fit(DATA).score(users)
    assert torch.equal(a, b), f"{name}: two fits with the same seed score differently"


@pytest.mark.parametrize("name", NAMES)
def test_misuse_raises_clear_errors(name):
    unfitted = _build(name)
    with pytest.raises(NotFittedError):
        unfitted.score([0])
    with pytest.raises(NotFittedError):
        unfitted.recommend([0], k=5)
    model = _fitted_model(name)
    for users in ([-1], [N_USERS], np.array([[0, 1], [2, 3]])):
        with pytest.raises(ValueError):
            model.recommend(users, k=5)
    with pytest.raises(TypeError):
        model.score([0.5])
    for k in (0, -1, 2.5, True, N_ITEMS + 1):
        with pytest.raises(ValueError):
            model.recommend([0], k=k)
    with pytest.raises(TypeError):
        model.fit("not interactions")
