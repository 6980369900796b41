#!/usr/bin/env python3
"""Flattens the l2rm_losses manifest into l2rm_losses/cases.tsv (one row per case and loss),
which L2rmLossConformance reads. The manifest's inputs point at ../l2rm_partial_ot/; those files
are copied into l2rm_losses/ unchanged, so the paths are reduced to their file names.
Run from this folder: python3 make_l2rm_cases.py"""
import json, os

family = "l2rm_losses"
m = json.load(open(f"{family}/manifest.json"))
rows = ["name\tcase\tloss_class\tn\ttau\tscores\ttargets\tloss\tgrad\tvector"]
for c in m["cases"]:
    scores = os.path.basename(c["inputs"]["scores"])
    targets = os.path.basename(c["inputs"]["soft_labels"])
    for f in (scores, targets):
        assert os.path.exists(f"{family}/{f}"), f"copy {f} from shared/reference/l2rm_partial_ot"
    for cls, v in c["losses"].items():
        rows.append("\t".join(str(x) for x in [
            c["name"] + ":" + cls, c["name"], cls, c["n"], c["tau"], scores, targets,
            repr(v["loss"]) if "loss" in v else "-", v.get("grad_scores", "-"), v.get("per_sample_loss", "-")]))
open(f"{family}/cases.tsv", "w").write("\n".join(rows) + "\n")
print(len(rows) - 1, "cases")
