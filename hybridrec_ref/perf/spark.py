"""Apache Spark MLlib ALS in our protocol: the path when the interaction matrix outgrows one machine (chapter 14, ``ch-scale``).

Spark's ``pyspark.ml.recommendation.ALS`` with ``implicitPrefs=True`` fits the
same confidence-weighted model as :class:`hybridrec_ref.cf.ALS` (confidence
``1 + alpha * r``), block-partitioned over a cluster. One difference in the
objective: Spark scales each row's L2 penalty by that row's number of
interactions ("ALS-WR", Zhou et al. 2008), so its ``regParam`` is not our
``reg``; tune it on validation data. Here it runs in local mode
(``local[threads]``, one JVM on this machine); on a cluster only the master
URL changes. Requirements: ``pyspark`` and a Java 17+ runtime (``JAVA_HOME``
or ``java`` on ``PATH``); the JVM takes tens of seconds to start.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..base import Recommender
from ..data.interactions import Interactions
from ..validation import check_int, check_nonnegative, check_positive


def _java_home() -> str | None:
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    for candidate in sorted(Path("/usr/lib/jvm").glob("java-17-openjdk*")) if Path("/usr/lib/jvm").exists() else []:
        return str(candidate)
    return None


def spark_session(threads: int = 2, driver_memory: str = "2g"):
    """A local Spark session (``local[threads]``, UI off, few shuffle partitions); reused if one exists."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise ImportError("Spark needs pyspark: pip install 'hybridrec[book]' (pyspark==4.3.0)") from e
    home = _java_home()
    if home:
        os.environ.setdefault("JAVA_HOME", home)
    elif shutil.which("java") is None:
        raise RuntimeError("Spark needs a Java 17+ runtime: install OpenJDK 17 and set JAVA_HOME (see README)")
    return (SparkSession.builder.master(f"local[{check_int('threads', threads)}]").appName("hybridrec")
            .config("spark.driver.memory", driver_memory).config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", str(2 * threads)).config("spark.log.level", "ERROR")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate())


def stop_spark() -> None:
    """Stop the active Spark session and its local JVM (``spark.stop()`` alone leaves the JVM running)."""
    try:
        from pyspark import SparkContext
        from pyspark.sql import SparkSession
    except ImportError:
        return
    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
    gateway = SparkContext._gateway
    if gateway is not None:
        proc = getattr(gateway, "proc", None)
        gateway.shutdown()
        if proc is not None:
            proc.stdin.close() if proc.stdin else None
            try:
                proc.wait(timeout=30)
            except Exception:  # the JVM did not exit by itself: end it
                proc.kill()
        SparkContext._gateway = SparkContext._jvm = None


class SparkALS(Recommender):
    """MLlib's implicit ALS fitted by Spark, scored here: evaluate it with the package's metrics.

    Parameters: ``n_factors`` (rank), ``n_iters`` (maxIter), ``reg`` (regParam, scaled per row by
    Spark), ``alpha``, ``threads`` (local[threads]), ``blocks`` (user/item blocks), ``driver_memory``,
    ``seed``. Users or items without training interactions get zero factors.
    """

    def __init__(self, n_factors: int = 64, n_iters: int = 15, reg: float = 0.1, alpha: float = 10.0,
                 threads: int = 2, blocks: int = 4, driver_memory: str = "2g", seed: int = 42):
        for name in ("n_factors", "n_iters", "threads", "blocks"):
            check_int(name, locals()[name])
        check_nonnegative("reg", reg)
        check_positive("alpha", alpha)
        self.n_factors, self.n_iters, self.reg, self.alpha = n_factors, n_iters, reg, alpha
        self.threads, self.blocks, self.driver_memory, self.seed = threads, blocks, driver_memory, seed

    def _fit(self, train: Interactions) -> None:
        from pyspark.ml.recommendation import ALS as MLlibALS

        spark = spark_session(self.threads, self.driver_memory)
        R = train.to_csr("ones").tocoo()
        frame = pd.DataFrame({"user": R.row.astype(np.int32), "item": R.col.astype(np.int32),
                              "rating": R.data.astype(np.float32)})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)   # pyspark 4.3: "pandas >= 3 not fully supported"
            df = spark.createDataFrame(frame)
            model = MLlibALS(rank=self.n_factors, maxIter=self.n_iters, regParam=self.reg, alpha=self.alpha,
                             implicitPrefs=True, userCol="user", itemCol="item", ratingCol="rating",
                             numUserBlocks=self.blocks, numItemBlocks=self.blocks, seed=self.seed).fit(df)
            self.user_factors_ = self._dense(model.userFactors, train.n_users)
            self.item_factors_ = self._dense(model.itemFactors, train.n_items)
        self.device_ = torch.device("cpu")

    def _dense(self, factors, n: int) -> torch.Tensor:
        rows = factors.toPandas()
        out = np.zeros((n, self.n_factors), dtype=np.float32)
        if len(rows):
            out[rows["id"].to_numpy()] = np.stack(rows["features"].to_numpy()).astype(np.float32)
        return torch.as_tensor(out)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return self.user_factors_[torch.as_tensor(users)] @ self.item_factors_.T
