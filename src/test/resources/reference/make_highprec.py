#!/usr/bin/env python3
"""For the small rcl_ccl cases (N <= 5), evaluates the release's formula (see manifest.json
'definition') in 50-digit arithmetic with mpmath, loss and gradient (central differences with
h = 1e-20), and writes rcl_ccl/highprec.tsv for the cases whose float64 reference values are
themselves off by more than 1e-9 relative (1 - p ~ 1e-10 there: float64 autograd loses digits).
Run from this folder: python3 make_highprec.py"""
import json
import numpy as np
from mpmath import mp, mpf, exp, log, tan

mp.dps = 50
EPS = mpf("1e-10")
m = json.load(open("rcl_ccl/manifest.json"))


def loss(S, n, tau, method, q, mask):
    E = [[exp(S[i][j] / tau) for j in range(n)] for i in range(n)]
    i2t = [[E[i][j] / (sum(E[i]) + EPS) for j in range(n)] for i in range(n)]
    col = [sum(E[k][j] for k in range(n)) for j in range(n)]
    t2i = [[E[j][i] / (col[i] + EPS) for j in range(n)] for i in range(n)]  # row i = text i
    total = mpf(0)
    for x in (i2t, t2i):
        if method == "infoNCE":
            total += -sum(log(x[i][i]) for i in range(n)) / n
            continue
        c = mpf(0)
        for i in range(n):
            for j in range(n):
                if not mask[i][j]:
                    continue
                p = x[i][j]
                if method == "log":
                    c += -log(1 - p + EPS)
                elif method == "tan":
                    c += tan(p)
                elif method == "abs":
                    c += p
                elif method == "exp":
                    c += exp(-(1 - p))
                elif method == "gce":
                    c += (1 - (1 - p + EPS) ** q) / q
        total += c / n
    return total


rows = ["name\tloss\tgrad (row-major)"]
for c in m["cases"]:
    n = c["N"]
    if n > 5:
        continue
    p = c["params"]
    S0 = np.load("rcl_ccl/" + c["inputs"]["scores"])
    if "mask" in c["inputs"]:
        mask = np.load("rcl_ccl/" + c["inputs"]["mask"]) != 0
    else:
        mask = ~np.eye(n, dtype=bool)
    S = [[mpf(float(v)) for v in r] for r in S0]
    tau, q = mpf(str(p["tau"])), mpf(str(p["q"]))
    L = loss(S, n, tau, p["method"], q, mask)
    h = mpf("1e-20")
    grad = []
    for i in range(n):
        for j in range(n):
            S[i][j] += h
            up = loss(S, n, tau, p["method"], q, mask)
            S[i][j] -= 2 * h
            down = loss(S, n, tau, p["method"], q, mask)
            S[i][j] += h
            grad.append((up - down) / (2 * h))
    G = np.load("rcl_ccl/" + c["outputs"]["grad_scores"]).ravel()
    scale = max(abs(float(g)) for g in grad)
    off = max(abs(float(g) - G[k]) / max(abs(float(g)), 1e-3 * scale) for k, g in enumerate(grad))
    off = max(off, abs(float(L) - c["scalars"]["loss"]) / abs(float(L)))
    print(c["name"], "release vs 50-digit: max relative difference %.2e" % off)
    if off > 1e-9:
        rows.append("\t".join([c["name"], mp.nstr(L, 20)] + [" ".join(mp.nstr(g, 20) for g in grad)]))
open("rcl_ccl/highprec.tsv", "w").write("\n".join(rows) + "\n")
