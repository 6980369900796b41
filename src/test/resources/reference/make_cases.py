#!/usr/bin/env python3
"""Flattens a reference family's manifest.json into cases.tsv, which the Java tests read
(the test classpath has no JSON library). Run from this folder: python3 make_cases.py rcl_ccl triplet"""
import json, sys

for family in sys.argv[1:]:
    m = json.load(open(f"{family}/manifest.json"))
    rows = ["name\tn\tscores\tgrad\tmask\tloss\t" + "\t".join(["tau", "method", "q", "ratio", "margin", "max_violation"])]
    for c in m["cases"]:
        p = c["params"]
        rows.append("\t".join(str(x) for x in [
            c["name"], c["N"], c["inputs"]["scores"], c["outputs"]["grad_scores"],
            c["inputs"].get("mask", "-"), repr(c["scalars"]["loss"]),
            p.get("tau", "-"), p.get("method", "-"), p.get("q", "-"), p.get("ratio", "-"),
            p.get("margin", "-"), p.get("max_violation", "-")]))
    open(f"{family}/cases.tsv", "w").write("\n".join(rows) + "\n")
