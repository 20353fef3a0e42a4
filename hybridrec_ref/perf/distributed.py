"""Data-parallel training with PyTorch DDP launched by ``torchrun`` (chapter 14, "Distributed training").

:class:`DistributedMF` is biased matrix factorisation for ratings (squared
error, L2 on the rows each example uses, Adam) trained on one process or on
``world_size`` processes. With more than one, :meth:`fit` writes the training
data to a temporary folder and runs

    python -m torch.distributed.run --standalone --nproc_per_node=N -m hybridrec_ref.perf.distributed ...

Each process holds a full replica of the model (DDP); every global mini-batch
(the same on every rank: one seeded permutation) is split between the ranks,
each computes the gradient of its share, and DDP's all-reduce averages them
(gloo on CPU, NCCL on GPUs). Each rank's loss is scaled so that the average is
exactly the gradient of the global batch's mean loss: one process and N
processes take the same optimisation steps, up to floating-point summation
order. Rank 0 saves the factors (atomic write) and the parent reads them back.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from ..base import Recommender
from ..data.fetch import atomic_write_bytes
from ..data.interactions import Interactions
from ..validation import check_choice, check_int, check_nonnegative, check_positive
from .device import resolve_device

_PARAMS = ("n_factors", "n_epochs", "lr", "reg", "batch_size", "init_std", "seed")


class _BiasedMF(torch.nn.Module):
    def __init__(self, n_users: int, n_items: int, f: int, mu: float, init_std: float, seed: int):
        super().__init__()
        gen = torch.Generator().manual_seed(seed)     # same initial replica on every rank
        self.P = torch.nn.Parameter(torch.randn(n_users, f, generator=gen) * init_std)
        self.Q = torch.nn.Parameter(torch.randn(n_items, f, generator=gen) * init_std)
        self.bu = torch.nn.Parameter(torch.zeros(n_users))
        self.bi = torch.nn.Parameter(torch.zeros(n_items))
        self.mu = mu

    def forward(self, u, i):
        p, q, bu, bi = self.P[u], self.Q[i], self.bu[u], self.bi[i]
        pred = self.mu + bu + bi + (p * q).sum(1)
        penalty = (p * p).sum(1) + (q * q).sum(1) + bu * bu + bi * bi
        return pred, penalty


def train_shard(users, items, ratings, n_users: int, n_items: int, params: dict, rank: int = 0,
                world_size: int = 1, device: str | torch.device = "cpu") -> tuple[dict, list[float]]:
    """The training loop every rank runs; returns the learned arrays and seconds per epoch.

    With ``world_size > 1`` it must run inside an initialised process group (see :func:`main`).
    """
    dev = torch.device(device)
    u, i, r = (torch.as_tensor(a, device=dev) for a in (users, items, ratings.astype(np.float32)))
    model = _BiasedMF(n_users, n_items, params["n_factors"], float(r.mean()), params["init_std"],
                      params["seed"]).to(dev)
    net = model
    if world_size > 1:
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[dev.index] if dev.type == "cuda" else None)
    opt = torch.optim.Adam(net.parameters(), lr=params["lr"])
    gen = torch.Generator().manual_seed(params["seed"] + 1)
    n, B, seconds = len(r), params["batch_size"], []
    for _ in range(params["n_epochs"]):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen).to(dev)          # same global order on every rank
        for s in range(0, n, B):
            batch = perm[s:s + B]
            mine = batch[rank::world_size]                      # this rank's share of the global batch
            pred, pen = net(u[mine], i[mine])
            # sum over my share, scaled so DDP's average over ranks is the global batch mean
            loss = ((pred - r[mine]) ** 2 + params["reg"] * pen).sum() * (world_size / len(batch))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        seconds.append(time.perf_counter() - t0)
    state = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    state["mu"] = np.float32(model.mu)
    return state, seconds


def main(argv: list[str] | None = None) -> None:
    """torchrun entry point: ``-m hybridrec_ref.perf.distributed DATA.npz OUT.npz PARAMS_JSON BACKEND``."""
    import torch.distributed as dist

    data_path, out_path, params_json, backend = argv or sys.argv[1:]
    params = json.loads(params_json)
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local = int(os.environ.get("LOCAL_RANK", rank))
    if backend == "nccl":
        torch.cuda.set_device(local)
        device = torch.device("cuda", local)
    else:
        torch.set_num_threads(1)
        device = torch.device("cpu")
    dist.init_process_group(backend)
    try:
        d = np.load(data_path)
        state, seconds = train_shard(d["users"], d["items"], d["ratings"], int(d["n_users"]), int(d["n_items"]),
                                     params, rank, world, device)
        if rank == 0:
            buf = io.BytesIO()
            np.savez(buf, seconds=np.array(seconds), **state)
            atomic_write_bytes(Path(out_path), buf.getvalue())
        dist.barrier()
    finally:
        dist.destroy_process_group()


class DistributedMF(Recommender):
    """Biased MF for ratings, trained on ``world_size`` DDP processes launched by ``torchrun``.

    Parameters
    ----------
    n_factors, n_epochs, lr, reg, batch_size, init_std : model and Adam settings; ``reg`` weighs the
        squared norms of the rows each example uses; ``batch_size`` is the *global* batch.
    world_size : processes (1 = train here, no process group).
    backend : "auto" (NCCL on CUDA, else gloo), "gloo" or "nccl".
    seed, device : seeding; ``device="auto"`` uses CUDA when present (one GPU per rank with NCCL).
    timeout : seconds allowed for the torchrun job.

    After ``fit``: ``user_factors_``, ``item_factors_``, biases and ``epoch_seconds_`` (rank 0's).
    """

    predicts_ratings = True

    def __init__(self, n_factors: int = 32, n_epochs: int = 10, lr: float = 0.01, reg: float = 0.02,
                 batch_size: int = 4096, init_std: float = 0.1, world_size: int = 1, backend: str = "auto",
                 seed: int = 42, device: str = "auto", timeout: float = 600.0):
        for name in ("n_factors", "n_epochs", "batch_size", "world_size"):
            check_int(name, locals()[name])
        check_positive("lr", lr)
        check_nonnegative("reg", reg)
        check_nonnegative("init_std", init_std)
        check_choice("backend", backend, ("auto", "gloo", "nccl"))
        check_positive("timeout", timeout)
        self.n_factors, self.n_epochs, self.lr, self.reg = n_factors, n_epochs, lr, reg
        self.batch_size, self.init_std, self.world_size, self.backend = batch_size, init_std, world_size, backend
        self.seed, self.device, self.timeout = seed, device, timeout

    def _fit(self, train: Interactions) -> None:
        if train.ratings is None:
            raise ValueError("DistributedMF fits explicit ratings; these interactions have none")
        dev = self.device_ = resolve_device(self.device)
        params = {k: getattr(self, k) for k in _PARAMS}
        if self.world_size == 1:
            state, seconds = train_shard(train.users, train.items, train.ratings, train.n_users, train.n_items,
                                         params, device=dev)
        else:
            state, seconds = self._launch(train, params, dev)
        self.user_factors_ = torch.as_tensor(state["P"], device=dev)
        self.item_factors_ = torch.as_tensor(state["Q"], device=dev)
        self.user_bias_ = torch.as_tensor(state["bu"], device=dev)
        self.item_bias_ = torch.as_tensor(state["bi"], device=dev)
        self.global_mean_ = float(state["mu"])
        self.epoch_seconds_ = list(map(float, seconds))

    def _launch(self, train: Interactions, params: dict, dev: torch.device):
        backend = self.backend if self.backend != "auto" else ("nccl" if dev.type == "cuda" else "gloo")
        if backend == "nccl" and torch.cuda.device_count() < self.world_size:
            raise RuntimeError(f"NCCL needs one GPU per process: {self.world_size} asked, "
                               f"{torch.cuda.device_count()} present; use backend='gloo'")
        with tempfile.TemporaryDirectory(prefix="hybridrec-ddp-") as tmp:
            data, out = Path(tmp) / "data.npz", Path(tmp) / "out.npz"
            np.savez(data, users=train.users, items=train.items, ratings=train.ratings,
                     n_users=train.n_users, n_items=train.n_items)
            cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                   f"--nproc_per_node={self.world_size}", "-m", "hybridrec_ref.perf.distributed",
                   str(data), str(out), json.dumps(params), backend]
            env = {**os.environ, "OMP_NUM_THREADS": "1"}
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=self.timeout, env=env)
            if done.returncode != 0 or not out.exists():
                raise RuntimeError(f"torchrun failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
            res = np.load(out)
            return {k: res[k] for k in res.files if k != "seconds"}, res["seconds"]

    def _predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        u, i = torch.as_tensor(users, device=self.device_), torch.as_tensor(items, device=self.device_)
        pred = self.global_mean_ + self.user_bias_[u] + self.item_bias_[i] + (self.user_factors_[u]
                                                                             * self.item_factors_[i]).sum(1)
        return pred.cpu().numpy()

    def _score(self, users: np.ndarray) -> torch.Tensor:
        u = torch.as_tensor(users, device=self.device_)
        return self.user_factors_[u] @ self.item_factors_.T + self.item_bias_ + self.user_bias_[u, None]


if __name__ == "__main__":
    main()
