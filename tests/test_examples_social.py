"""Appendix B: examples/social_network.py runs its six steps on a small sample."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_social_network_example_runs_on_a_small_sample(capsys):
    spec = importlib.util.spec_from_file_location("social_network", ROOT / "examples" / "social_network.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    table, pair = mod.main(["--users", "400", "--gate-steps", "10"])
    out = capsys.readouterr().out
    assert list(table.index) == ["EASE", "Content (MiniLM)", "Most popular", "Fusion"]
    assert ((table >= 0) & (table <= 1)).all().all()
    assert table["NDCG@10"].max() > 0.02                      # something was learned
    assert pair["n"] > 100 and pair["ci_low"] <= pair["diff"] <= pair["ci_high"]
    assert "Fusion minus EASE" in out and "rank" in out
