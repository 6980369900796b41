#!/usr/bin/env python3
"""For every rcl_ccl case, evaluates the textbook formula that stable mode computes (the
release's definition in manifest.json without its two 1e-10 epsilons) in 50-digit arithmetic
with mpmath: the loss and its analytic gradient dL/dS, the softmax Jacobian applied per row,
  dL/dz_k = u_k - p_k sum_l u_l,  u_l = mask_l p_l phi'(p_l)    (CCL),
  dL/dS_ij = (p_ij + q_ji - 2 delta_ij) / (N tau)               (infoNCE),
with 1 - p formed as the sum of the other terms over the row's sum (no cancellation). Writes
rcl_ccl/exact.tsv: name, loss, gradient (row-major), 20 significant digits each.
Run from this folder: python3 make_exact.py"""
import json
import numpy as np
from mpmath import mp, mpf, exp, log, tan, cos

mp.dps = 50
m = json.load(open("rcl_ccl/manifest.json"))


def phi(method, p, c, q):
    """phi(p) and p phi'(p), with c = 1 - p."""
    if method == "log":
        return -log(c), p / c
    if method == "abs":
        return p, p
    if method == "exp":
        return exp(-c), p * exp(-c)
    if method == "gce":
        return (1 - c ** q) / q, p * c ** (q - 1)
    if method == "tan":
        return tan(p), p / cos(p) ** 2
    raise ValueError(method)


def softmax(row):
    e = [exp(v) for v in row]
    z = sum(e)
    p = [v / z for v in e]
    c = [(z - e[k]) / z for k in range(len(e))]   # exact enough at 50 digits
    return p, c


rows = ["name\tloss\tgrad (row-major)"]
for case in m["cases"]:
    n = case["N"]
    prm = case["params"]
    S = np.load("rcl_ccl/" + case["inputs"]["scores"])
    mask = (np.load("rcl_ccl/" + case["inputs"]["mask"]) != 0) if "mask" in case["inputs"] else ~np.eye(n, dtype=bool)
    tau, q = mpf(str(prm["tau"])), mpf(str(prm["q"]))
    Z = [[mpf(float(v)) / tau for v in r] for r in S]
    loss = mpf(0)
    grad = [[mpf(0)] * n for _ in range(n)]
    for direction in (0, 1):
        for a in range(n):
            z = Z[a] if direction == 0 else [Z[k][a] for k in range(n)]
            p, c = softmax(z)
            if prm["method"] == "infoNCE":
                loss += -log(p[a]) / n
                for k in range(n):
                    g = (p[k] - (1 if k == a else 0)) / (n * tau)
                    if direction == 0:
                        grad[a][k] += g
                    else:
                        grad[k][a] += g
                continue
            u = [mpf(0)] * n
            for k in range(n):
                if mask[a][k]:
                    v, u[k] = phi(prm["method"], p[k], c[k], q)
                    loss += v / n
            su = sum(u)
            for k in range(n):
                g = (u[k] - p[k] * su) / (n * tau)
                if direction == 0:
                    grad[a][k] += g
                else:
                    grad[k][a] += g
    flat = [grad[i][j] for i in range(n) for j in range(n)]
    rows.append("\t".join([case["name"], mp.nstr(loss, 20), " ".join(mp.nstr(g, 20) for g in flat)]))
    print(case["name"], mp.nstr(loss, 12))
open("rcl_ccl/exact.tsv", "w").write("\n".join(rows) + "\n")
