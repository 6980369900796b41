#!/usr/bin/python3
"""Python baselines for docs/benchmarks.md, section "Optimal transport" (not project code).

Run with Debian's interpreter and packages (apt-get install -y python3-pot: POT 0.8.2,
numpy 1.24.2, scipy 1.10.1):

    /usr/bin/python3 docs/bench/ot_python_baselines.py [--sizes 128,512,1024] [--out DIR]

1. POT 0.8.2 ot.partial.entropic_partial_wasserstein(a, b, M, reg=0.05, m=0.9, numItermax=1000)
   on squared-Euclidean costs between n random points of the unit square (uniform marginals):
   wall time of one call (exactly 1000 iterations: stopThr 1e-100).
2. The L2RM release's log-domain solver (hhc1997/L2RM a766c22, models.py SGRAF.sinkhorn_log_domain,
   re-typed from its algorithm as documented in docs/ot.md (L2RM section):
   dummy row/column, diagonal mask at -1e6, lse with +1e-10): time per iteration (a fixed number
   of iterations, no early stop), float64, on the same kind of cost with (n + 1) x (n + 1) extended
   matrix, reg = 0.05, s = 0.1.

With --out DIR it also writes DIR/pot_n{n}_M.npy and DIR/pot_n{n}_plan.npy so that the Java plan
can be compared with POT's (see docs/benchmarks.md).
"""
import argparse, os, time
import numpy as np
import ot


def sqeuclidean_cost(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 2))
    y = rng.random((n, 2))
    return ot.dist(x, y)  # squared Euclidean by default


def release_lse(A):
    mx = A.max(axis=1, keepdims=True)
    return np.log(np.exp(A - mx).sum(axis=1, keepdims=True) + 1e-10) + mx


def release_solver(C, p, q, reg, mask, iters):
    u = np.zeros_like(p)
    v = np.zeros_like(q)

    def M(u, v):
        K = (-C + u[:, None] + v[None, :]) / reg
        K[mask] = -1e6
        return K

    for _ in range(iters):
        u0 = u
        u = reg * (np.log(p) - release_lse(M(u, v)).squeeze()) + u
        v = reg * (np.log(q) - release_lse(M(u, v).T).squeeze()) + v
        _err = np.linalg.norm(u - u0)
    return np.exp(M(u, v))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="128,512")
    ap.add_argument("--release-sizes", default="128,512,1024,2048")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    print(f"POT {ot.__version__}, numpy {np.__version__}")
    for n in [int(s) for s in args.sizes.split(",") if s]:
        M = sqeuclidean_cost(n, seed=n)
        a = np.ones(n) / n
        b = np.ones(n) / n
        t = time.perf_counter()
        plan = ot.partial.entropic_partial_wasserstein(a, b, M, reg=0.05, m=0.9, numItermax=1000)
        dt = time.perf_counter() - t
        print(f"POT entropic_partial_wasserstein n={n}: {dt:.3f} s for 1000 iterations "
              f"({dt * 1e3:.0f} us/iteration), mass {plan.sum():.12f}, nan={np.isnan(plan).any()}")
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            np.save(f"{args.out}/pot_n{n}_M.npy", M)
            np.save(f"{args.out}/pot_n{n}_plan.npy", plan)
    for n in [int(s) for s in args.release_sizes.split(",") if s]:
        C0 = sqeuclidean_cost(n, seed=n)
        cmax = C0.max()
        xi = 100 * cmax
        C = np.full((n + 1, n + 1), xi)
        C[:n, :n] = C0
        C[n, n] = 2 * xi + cmax
        p = np.concatenate([np.ones(n) / n, [0.9]])
        q = p.copy()
        mask = np.zeros((n + 1, n + 1), bool)
        mask[np.arange(n), np.arange(n)] = True
        iters = 200 if n <= 128 else 50 if n <= 512 else 10
        release_solver(C, p, q, 0.05, mask, 2)  # warm-up
        t = time.perf_counter()
        release_solver(C, p, q, 0.05, mask, iters)
        dt = (time.perf_counter() - t) / iters
        print(f"L2RM release log-domain solver n={n} (+1 dummy): {dt * 1e6:.0f} us/iteration "
              f"({iters} iterations timed; x1000 = {dt * 1000:.2f} s)")


if __name__ == "__main__":
    main()
