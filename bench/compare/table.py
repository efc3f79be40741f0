"""Prints the side-by-side table of run.sh from results/."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
R = os.path.join(HERE, "results")


def time_v(name):
    wall = rss = None
    with open(os.path.join(R, f"{name}.time")) as f:
        for line in f:
            line = line.strip()
            if line.startswith("Elapsed (wall clock)"):
                parts = [float(x) for x in line.rsplit(" ", 1)[1].split(":")]
                wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
            elif line.startswith("Maximum resident set size"):
                rss = int(line.rsplit(" ", 1)[1]) / 1024
    return wall, rss


def main():
    rows = []
    for s in sys.argv[1:]:
        label = "FEBRL3" if s == "febrl3" else f"people {int(s):,}"
        on = "febrl3" if s == "febrl3" else f"people_{s}"
        ow, orss = time_v(f"omnid_{on}")
        with open(os.path.join(R, f"omnid_{on}.eval.json")) as f:
            ev = json.load(f)["pairwise"]
        sp_json = "splink_febrl3.json" if s == "febrl3" else f"splink_people_{s}_v2.json"
        sw, srss = time_v(f"splink_{on}")
        with open(os.path.join(R, sp_json)) as f:
            sp = json.load(f)
        rows.append((label, "omnid", ow, orss, ev["precision"], ev["recall"], ev["f1"], None))
        cw, crss = time_v(f"omnid360_{on}")
        rows.append((label, "omnid + customer 360", cw, crss, None, None, None, None))
        rows.append((label, "splink", sw, srss, sp["cluster_P"], sp["cluster_R"], sp["cluster_F1"],
                     sp["F1_at_0_5"]))
        rows.append((label, "splink / omnid", sw / ow, srss / orss, None, None, None, None))
    print("| data | tool | wall s | peak RSS MiB | P (clusters) | R (clusters) | F1 (clusters) | Splink F1 of scored pairs at 0.5 |")
    print("|---|---|---|---|---|---|---|---|")
    fmt = lambda v, f: "" if v is None else f.format(v)
    for label, tool, w, rss, p, r, f1, e in rows:
        if tool.endswith("omnid") and "/" in tool:
            print(f"| {label} | **{tool}** | **{w:.1f}x** | **{rss:.1f}x** | | | | |")
        else:
            print(f"| {label} | {tool} | {w:.2f} | {rss:.0f} | {fmt(p, '{:.4f}')} | "
                  f"{fmt(r, '{:.4f}')} | {fmt(f1, '{:.4f}')} | {fmt(e, '{:.4f}')} |")


if __name__ == "__main__":
    main()
