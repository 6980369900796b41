#!/usr/bin/env python3
"""The PyTorch peer of `rematch bench` on a GPU, for docs/gpu.md (not project code: the project
runs no Python). `.device/run.sh` runs it on the GPU machine after rematch's benchmark and device
epoch, so both are measured on the same device in one call.

The operations the targets in docs/gpu.md name (similarities, the evaluation matrix, CCL, partial
OT, log-domain Sinkhorn, a training step, an epoch), with the shapes and settings of `rematch bench`
(io.rematch.backend.Benchmark),
float32, TF32 off, each timed as the median of REPEATS calls after one warm-up, with
torch.cuda.synchronize() before every clock reading. Two timings where it matters:
"device" starts from tensors already on the GPU and ends with the result there (what PyTorch's
figures usually mean); "host" starts from host arrays and ends with the result on the host, in the
same precision as `rematch bench` where it can (float32 rows for the similarities; float32 for the
evaluation matrix, which rematch takes and returns in float64; float64 scores and costs for the
losses and the transport), as rematch times the OpenCL backend (copies and conversions included).

- similarities n x n x n: S = X Y^T of unit rows.
- evaluation 5,000 x 25,000 x 1,024: the whole matrix; host: float32 rows in, the matrix back.
- ccl N: RCL's CCL with the log bound over all negatives, both directions, tau 0.05 (RCL Eq. 14
  with Eq. 10), loss and dL/dS by autograd.
- partial n, 1,000 iterations: entropic partial OT (reg 0.05, mass 0.5, uniform marginals) in
  the scaling form pi = gamma diag(alpha) K diag(beta), K = exp(-(C - min C)/reg); per iteration
  alpha <- alpha min(a / (gamma alpha K beta), 1), beta <- beta min(b / (gamma beta K^T alpha), 1),
  gamma <- m / alpha^T K beta: the iteration the OpenCL kernel runs.
- sinkhorn-log n, 1,000 iterations: balanced log-domain Sinkhorn, reg 0.05,
  f = log a - lse_j(L + g), g = log b - lse_i(L + f).
- step B: a training step of the towers 2048 -> 1024 -> 256 and 768 -> 1024 -> 256 (ReLU,
  L2-normalised), S = V T^T, CCL-log, backward, gradient-norm clipping at 2, Adam 2e-4.
- epoch DATA: those towers over DATA's training pairs (batch 128, a fresh permutation, the last
  partial batch dropped), features on the GPU, two epochs, the second timed (the first warms up):
  pairs per second.

usage: gpu_peer_torch.py [--sizes 1024,4096,8192] [--repeats 3] [--epoch DATA_DIR] [--out FILE]
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import torch

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = torch.device("cuda")


def clock(fn, repeats):
    fn()
    torch.cuda.synchronize()
    t = []
    for _ in range(repeats):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        t.append(time.perf_counter() - t0)
    t.sort()
    return float(np.median(t)), t[0]


def unit_rows(rng, n, d):
    a = rng.uniform(-1, 1, (n, d))
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def scores(rng, n):
    diag = np.eye(n) * 0.8
    return np.tanh(0.4 * rng.uniform(-2, 2, (n, n)) + diag)


def ccl_log(s, tau):
    # RCL Eq. 14 (the log bound) over all negatives: -sum_{j != i} log(1 - p_ij), both directions
    n = s.shape[0]
    off = 1 - torch.eye(n, dtype=s.dtype, device=s.device)
    p_row = torch.softmax(s / tau, dim=1)
    p_col = torch.softmax(s / tau, dim=0)
    return (-(torch.log1p(-p_row) * off).sum(1).mean() - (torch.log1p(-p_col) * off).sum(0).mean())


def ccl_grad(s):
    s = s.detach().requires_grad_(True)
    ccl_log(s, 0.05).backward()
    return s.grad


def partial(c, iters, reg=0.05, mass=0.5):
    n, m = c.shape
    k = torch.exp(-(c - c.min()) / reg)
    a = torch.full((n,), 1.0 / n, device=c.device)
    b = torch.full((m,), 1.0 / m, device=c.device)
    alpha = torch.ones(n, device=c.device)
    beta = torch.ones(m, device=c.device)
    gamma = mass / k.sum()
    for _ in range(iters):
        kb = k @ beta
        alpha = alpha * torch.clamp(a / (gamma * alpha * kb), max=1)
        ka = k.T @ alpha
        beta = beta * torch.clamp(b / (gamma * beta * ka), max=1)
        gamma = mass / torch.dot(beta, ka)
    return gamma * alpha[:, None] * k * beta[None, :]


def sinkhorn_log(c, iters, reg=0.05):
    n, m = c.shape
    big_l = -(c - c.min()) / reg
    log_a = torch.full((n,), -math.log(n), device=c.device)
    log_b = torch.full((m,), -math.log(m), device=c.device)
    f = torch.zeros(n, device=c.device)
    g = torch.zeros(m, device=c.device)
    for _ in range(iters):
        f = log_a - torch.logsumexp(big_l + g[None, :], dim=1)
        g = log_b - torch.logsumexp(big_l + f[:, None], dim=0)
    return torch.exp(big_l + f[:, None] + g[None, :])


def towers():
    torch.manual_seed(0)

    def tower(d_in):
        return torch.nn.Sequential(torch.nn.Linear(d_in, 1024), torch.nn.ReLU(), torch.nn.Linear(1024, 256)).to(dev)

    f_v, f_t = tower(2048), tower(768)
    params = list(f_v.parameters()) + list(f_t.parameters())
    opt = torch.optim.Adam(params, lr=2e-4)

    def step(ims, caps):
        v = torch.nn.functional.normalize(f_v(ims), dim=1, eps=1e-8)
        t = torch.nn.functional.normalize(f_t(caps), dim=1, eps=1e-8)
        loss = ccl_log(v @ t.T, 0.05)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 2.0)
        opt.step()

    weights = sum(p.numel() for p in params)
    return step, weights


def row(out, op, size, timing, median, minimum, work, unit):
    r = {"operation": op, "size": size, "timing": timing, "median_s": median, "min_s": minimum,
         "throughput": work / median / 1e9, "unit": unit}
    print(json.dumps(r), flush=True)
    out.append(r)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1024,4096,8192")
    ap.add_argument("--steps", default="128,256,512,1024")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=1000)
    ap.add_argument("--epoch", default=None)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    reps = args.repeats
    it = args.iterations
    rng = np.random.default_rng(20261204)
    out = []
    print(json.dumps({"peer": f"PyTorch {torch.__version__}", "device": torch.cuda.get_device_name(0),
                      "precision": "float32, TF32 off"}), flush=True)

    for n in sizes:
        x64, y64 = unit_rows(rng, n, n), unit_rows(rng, n, n)
        x, y = torch.tensor(x64, dtype=torch.float32, device=dev), torch.tensor(y64, dtype=torch.float32, device=dev)
        med, mn = clock(lambda: x @ y.T, reps)
        row(out, "similarities", f"{n} x {n} x {n}", "device", med, mn, 2.0 * n ** 3, "GFLOP/s")
        x32, y32 = x64.astype(np.float32), y64.astype(np.float32)
        med, mn = clock(lambda: (torch.from_numpy(x32).to(dev) @ torch.from_numpy(y32).to(dev).T).cpu().numpy(), reps)
        row(out, "similarities", f"{n} x {n} x {n}", "host", med, mn, 2.0 * n ** 3, "GFLOP/s")
        del x, y

    xe = unit_rows(rng, 5000, 1024).astype(np.float32)
    ye = unit_rows(rng, 25000, 1024).astype(np.float32)
    xd, yd = torch.from_numpy(xe).to(dev), torch.from_numpy(ye).to(dev)
    work = 2.0 * 5000 * 25000 * 1024
    med, mn = clock(lambda: xd @ yd.T, reps)
    row(out, "evaluation", "5000 x 25000 x 1024", "device", med, mn, work, "GFLOP/s")
    med, mn = clock(lambda: (torch.from_numpy(xe).to(dev) @ torch.from_numpy(ye).to(dev).T).cpu().numpy(), reps)
    row(out, "evaluation", "5000 x 25000 x 1024", "host", med, mn, work, "GFLOP/s")
    del xd, yd

    for n in sizes:
        s64 = scores(rng, n)
        s = torch.tensor(s64, dtype=torch.float32, device=dev)
        med, mn = clock(lambda: ccl_grad(s), reps)
        row(out, "ccl", f"N = {n}", "device", med, mn, 8.0 * n * n, "GB/s")
        med, mn = clock(lambda: ccl_grad(torch.from_numpy(s64).to(dev, torch.float32)).double().cpu().numpy(), reps)
        row(out, "ccl", f"N = {n}", "host", med, mn, 8.0 * n * n, "GB/s")
        del s

    for name, solve in (("partial", partial), ("sinkhorn-log", sinkhorn_log)):
        for n in sizes:
            c64 = 1 - scores(rng, n)
            c = torch.tensor(c64, dtype=torch.float32, device=dev)
            med, mn = clock(lambda: solve(c, it), reps)
            row(out, name, f"{n} x {n}, {it} iterations", "device", med, mn, 8.0 * n * n * it, "GB/s")
            med, mn = clock(lambda: solve(torch.from_numpy(c64).to(dev, torch.float32), it).double().cpu().numpy(),
                            reps)
            row(out, name, f"{n} x {n}, {it} iterations", "host", med, mn, 8.0 * n * n * it, "GB/s")
            del c

    step, weights = towers()
    for b in [int(s) for s in args.steps.split(",")]:
        ims = torch.tensor(unit_rows(rng, b, 2048), dtype=torch.float32, device=dev)
        caps = torch.tensor(unit_rows(rng, b, 768), dtype=torch.float32, device=dev)
        med, mn = clock(lambda: step(ims, caps), reps)
        row(out, "step", f"batch {b}", "device", med, mn, 6.0 * b * weights + 6.0 * b * b * 256, "GFLOP/s")

    if args.epoch:
        ims = torch.from_numpy(np.load(f"{args.epoch}/train_ims.npy")).to(dev, torch.float32)
        caps = torch.from_numpy(np.load(f"{args.epoch}/train_caps.npy")).to(dev, torch.float32)
        k = caps.shape[0] // ims.shape[0]
        step, _ = towers()
        b = 128
        steps = caps.shape[0] // b
        for epoch in range(2):      # the first warms up (cuBLAS handles, the caching allocator)
            order = torch.randperm(caps.shape[0], device=dev)
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            for i in range(steps):
                idx = order[i * b:(i + 1) * b]
                step(ims[idx // k], caps[idx])
            torch.cuda.synchronize()
            seconds = time.perf_counter() - t0
        r = {"operation": "epoch", "size": f"{steps * b} pairs, batch {b}", "timing": "device",
             "seconds": seconds, "pairs_per_s": steps * b / seconds}
        print(json.dumps(r), flush=True)
        out.append(r)

    if args.out:
        with open(args.out, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
