"""One search API, three strategies (chapter 13): seeded, reproducible, prunable, checked."""

import numpy as np
import pytest

from hybridrec_ref.tuning import Choice, Float, Int, best_so_far_curves, grid_points, search


def bowl(params, report):
    """A smooth objective with its maximum 0 at x=3, y=0.1, kind='b'."""
    return -(params["x"] - 3) ** 2 - np.log10(params["y"] / 0.1) ** 2 - (params["kind"] != "b")


SPACE = {"x": Int(0, 8), "y": Float(1e-3, 10, log=True), "kind": Choice(("a", "b"))}


@pytest.mark.parametrize("strategy", ["grid", "random", "tpe"])
def test_a_study_is_reproducible_with_a_seed(strategy):
    a = search(bowl, SPACE, strategy, n_trials=12, seed=5)
    b = search(bowl, SPACE, strategy, n_trials=12, seed=5)
    assert a.drop(columns="trial").equals(b.drop(columns="trial"))
    assert a.attrs["best_params"] == b.attrs["best_params"]
    if strategy != "grid":  # another seed tries other points
        c = search(bowl, SPACE, strategy, n_trials=12, seed=6)
        assert not np.allclose(a["y"], c["y"])


def test_best_so_far_is_the_running_maximum_and_tpe_beats_a_far_start():
    t = search(bowl, SPACE, "tpe", n_trials=30, seed=0)
    assert (np.diff(t["best_so_far"]) >= 0).all()
    assert t["best_so_far"].iloc[-1] == t["value"].max() == t.attrs["best_value"]
    assert t.attrs["best_params"]["kind"] == "b" and abs(t.attrs["best_params"]["x"] - 3) <= 1
    curves = best_so_far_curves({("tpe", 0): t})
    assert list(curves.columns) == ["strategy", "seed", "trial", "best_so_far"] and len(curves) == 30


def test_grid_uses_given_points_and_spreads_the_rest():
    pts = grid_points({"x": Int(0, 8, grid=(1, 3)), "y": Float(0.01, 1, log=True), "kind": Choice(("a", "b"))}, 16)
    assert pts["x"] == [1, 3] and pts["kind"] == ["a", "b"]
    assert pts["y"] == pytest.approx(np.geomspace(0.01, 1, 4))  # 16 trials / 4 fixed combinations = 4 points
    t = search(lambda p, r: -p["x"], {"x": Int(0, 8, grid=(1, 3, 5))}, "grid", n_trials=10, seed=0)
    assert sorted(t["x"]) == [1, 3, 5]  # the grid is exhausted after 3 trials


def test_the_median_pruner_stops_trials_that_lag_at_a_step():
    def curve(params, report):
        for step in range(5):
            report(step, params["x"] * (step + 1))
        return params["x"] * 5

    t = search(curve, {"x": Float(0, 1)}, "random", n_trials=20, seed=1, prune=True)
    pruned = t[t.state == "PRUNED"]
    assert len(pruned) > 0 and pruned["value"].isna().all()
    assert (pruned["steps"] < 5).all() and (t[t.state == "COMPLETE"]["steps"] == 5).all()
    assert search(curve, {"x": Float(0, 1)}, "random", n_trials=20, seed=1).state.eq("COMPLETE").all()


def test_bad_spaces_and_strategies_are_refused():
    with pytest.raises(ValueError, match="strategy"):
        search(bowl, SPACE, "annealing")
    with pytest.raises(ValueError, match="empty"):
        search(bowl, {})
    with pytest.raises(ValueError, match="low"):
        search(bowl, {"y": Float(0, 1, log=True)})
    with pytest.raises(ValueError, match="grid points"):
        search(bowl, {"x": Int(0, 3, grid=(5,))})
    with pytest.raises(TypeError):
        search(bowl, {"x": (0, 1)})
    with pytest.raises(ValueError, match="returned nan"):
        search(lambda p, r: float("nan"), {"x": Float(0, 1)}, n_trials=2)
