"""Evaluation: metrics, the protocol, beyond-accuracy measures and significance (chapters 1 and 9)."""

from .beyond import catalogue_coverage, intra_list_diversity, item_self_information, novelty
from .cold_splits import compare_cold_splits
from .metrics import RANKING_METRICS, ideal_dcg, mae, relevance_at, rmse, topk_metrics
from .peer_protocol import PUBLISHED, PUBLISHED_BPR_PARAMS, peer_metrics, peer_topk
from .protocol import compare, evaluate, per_user_metrics, relevant_matrix, with_ci
from .satisfaction import satisfaction_at, satisfaction_proxies, summarise_satisfaction
from .seeds import across_seeds, paired_seed_test, seed_summary, t_interval
from .segments import activity_buckets, evaluate_segments, paired_by_segment, warm_cold_items
from .stats import bootstrap_ci, paired_test

__all__ = ["evaluate", "per_user_metrics", "compare", "relevant_matrix", "with_ci", "topk_metrics", "relevance_at",
           "ideal_dcg", "rmse", "mae", "RANKING_METRICS", "catalogue_coverage", "intra_list_diversity",
           "novelty", "item_self_information", "bootstrap_ci", "paired_test",
           "activity_buckets", "warm_cold_items", "evaluate_segments", "paired_by_segment",
           "satisfaction_at", "satisfaction_proxies", "summarise_satisfaction",
           "across_seeds", "t_interval", "seed_summary", "paired_seed_test", "compare_cold_splits",
           "PUBLISHED", "PUBLISHED_BPR_PARAMS", "peer_metrics", "peer_topk"]
