"""Appendix B's e-commerce script runs end to end on a small sample of readers and reports what it claims."""

import importlib.util
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def test_ecommerce_script_small_sample(capsys):
    spec = importlib.util.spec_from_file_location("ecommerce_example", ROOT / "examples" / "ecommerce.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table, tests = module.main(["--users", "300", "--iters", "3", "--device", "cpu"])
    out = capsys.readouterr().out
    assert set(table.index) == {"ALS", "Content", "Fusion"} and "fusion - ALS, new books" in out
    assert table.to_numpy().min() >= 0 and table.to_numpy().max() <= 1
    # ALS cannot rank a book nobody has read: its recall on new books is exactly zero; the fusion's is not
    assert table.loc["ALS", "Recall@10, new books"] == 0
    assert table.loc["Fusion", "Recall@10, new books"] > 0
    for t in tests.values():
        assert t["ci_low"] <= t["diff"] <= t["ci_high"] and t["n"] > 0
    assert np.isclose(tests["overall"]["diff"],
                      table.loc["Fusion", "NDCG@10"] - table.loc["ALS", "NDCG@10"])
