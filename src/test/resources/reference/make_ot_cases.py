#!/usr/bin/env python3
"""Flattens the optimal-transport reference families' manifest.json into cases.tsv for the Java
tests (which have no JSON library); the sibling of make_cases.py for pot_sinkhorn,
pot_entropic_partial and l2rm_partial_ot. Run from this folder:
    python3 make_ot_cases.py"""
import json


def write(family, header, rows):
    lines = ["\t".join(header)] + ["\t".join(str(x) for x in r) for r in rows]
    open(f"{family}/cases.tsv", "w").write("\n".join(lines) + "\n")


m = json.load(open("pot_sinkhorn/manifest.json"))
write("pot_sinkhorn",
      ["name", "M", "a", "b", "reg", "max_iter", "tol", "plan_sinkhorn", "plan_sinkhorn_log",
       "iterations_sinkhorn", "iterations_log", "err_sinkhorn", "err_log", "warns"],
      [[c["name"], c["inputs"]["M"], c["inputs"]["a"], c["inputs"]["b"], repr(c["params"]["reg"]),
        c["params"]["numItermax"], repr(c["params"]["stopThr"]),
        c["outputs"]["plan_sinkhorn"], c["outputs"]["plan_sinkhorn_log"],
        c["scalars"]["sinkhorn"]["iterations_run"], c["scalars"]["sinkhorn_log"]["iterations_run"],
        repr(c["scalars"]["sinkhorn"]["last_err"]), repr(c["scalars"]["sinkhorn_log"]["last_err"]),
        str(bool(c["scalars"]["sinkhorn"]["warnings"])).lower()] for c in m["cases"]])

m = json.load(open("pot_entropic_partial/manifest.json"))
write("pot_entropic_partial",
      ["name", "M", "a", "b", "reg", "m", "max_iter", "tol", "plan", "iterations", "last_err", "cost"],
      [[c["name"], c["inputs"]["M"], c["inputs"]["a"], c["inputs"]["b"], repr(c["params"]["reg"]),
        repr(c["params"]["m_effective"]), c["params"]["numItermax"], repr(c["params"]["stopThr"]),
        c["outputs"]["plan"], c["scalars"]["iterations_run"],
        repr(c["scalars"]["last_err_(computed_every_10th_iter)"]),
        repr(c["scalars"]["partial_w_dist_sum_M_times_plan"])] for c in m["cases"]])

m = json.load(open("l2rm_partial_ot/manifest.json"))
rows = []
for c in m["cases"]:
    o, s, p = c["outputs"], c["scalars"], c["params"]
    clean = s.get("clean_float64", {})
    rows.append([c["name"], c["n"], repr(p["reg"]), repr(p["s_rho"]), str(p["diagonal_masked"]).lower(),
                 p["niter"], repr(p["thresh"]), o["cost_float64_clean"], o["cost_float32_original"],
                 o.get("plan_clean_float64", "-"), o["plan_original_float32"],
                 clean.get("iterations_run", "-"), s["original"]["iterations_run"],
                 repr(clean["final_err_norm_u_change"]) if clean else "-",
                 repr(clean["plan_total_mass"]) if clean else "-"])
write("l2rm_partial_ot",
      ["name", "n", "reg", "s", "diagonal_masked", "max_iter", "tol", "cost_f64", "cost_f32", "plan_clean_f64",
       "plan_orig_f32", "iterations_clean", "iterations_orig", "final_err_clean", "mass_clean"], rows)
