#!/usr/bin/env python3
"""The peer of `rematch train` for docs/benchmarks.md: the same two-tower model and training
step in PyTorch, timed on the same dataset folder.

Two towers 512 -> 1024 -> 256 (ReLU), L2-normalised; S = V T^T; RCL's CCL with the log bound over
all negatives in both directions (tau 0.05); Adam 2e-4; gradient-norm clipping at 2.0; batch 128,
a fresh permutation of the pairs per epoch, the last partial batch dropped. One thread (two were
slower on the 2-core machine). Prints one JSON line per precision: pairs per second of the
training steps alone (no evaluation), over the epochs after the first (warm-up).

usage: train_throughput_torch.py DATA_DIR [EPOCHS]
"""
import json
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)


def tower(d_in, hidden, embed, dtype):
    return torch.nn.Sequential(torch.nn.Linear(d_in, hidden), torch.nn.ReLU(),
                               torch.nn.Linear(hidden, embed)).to(dtype)


def ccl_log(s, tau):
    n = s.shape[0]
    off = 1 - torch.eye(n, dtype=s.dtype)
    p_i2t = torch.softmax(s / tau, dim=1)
    p_t2i = torch.softmax(s / tau, dim=0)
    return (-(torch.log1p(-p_i2t) * off).sum(1).mean()
            - (torch.log1p(-p_t2i) * off).sum(0).mean())


def run(data, epochs, dtype):
    ims = torch.from_numpy(np.load(f"{data}/train_ims.npy")).to(dtype)
    caps = torch.from_numpy(np.load(f"{data}/train_caps.npy")).to(dtype)
    k = caps.shape[0] // ims.shape[0]
    torch.manual_seed(0)
    f_v = tower(ims.shape[1], 1024, 256, dtype)
    f_t = tower(caps.shape[1], 1024, 256, dtype)
    params = list(f_v.parameters()) + list(f_t.parameters())
    opt = torch.optim.Adam(params, lr=2e-4)
    b = 128
    rates = []
    for epoch in range(epochs):
        order = torch.randperm(caps.shape[0])
        steps = caps.shape[0] // b
        t0 = time.perf_counter()
        for i in range(steps):
            idx = order[i * b:(i + 1) * b]
            v = torch.nn.functional.normalize(f_v(ims[idx // k]), dim=1, eps=1e-8)
            t = torch.nn.functional.normalize(f_t(caps[idx]), dim=1, eps=1e-8)
            loss = ccl_log(v @ t.T, 0.05)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 2.0)
            opt.step()
        seconds = time.perf_counter() - t0
        if epoch > 0:
            rates.append(steps * b / seconds)
    return rates


if __name__ == "__main__":
    data = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
        rates = run(data, epochs, dtype)
        print(json.dumps({"peer": "pytorch " + torch.__version__, "precision": name, "threads": 1,
                          "pairs_per_second": float(np.mean(rates)), "per_epoch": rates}))
