#!/usr/bin/env python3
"""Turns the rows scripts/bench collected into bench/RESULTS.md and prints it.

Input: a tab-separated file with one row per run:
  server users workload rps p50_ms p99_ms rss_kb non2xx socket_errors requests seconds mean_ms
Ratios are computed only between rows of that file, that is, of one run on one machine. When the
reference server completed no request within a wrk run, its rate is below 1 / seconds, so the
ratio is reported as a lower bound ("> N×").

wrk keeps a fixed number of connections busy, so a server that needs seconds per request answers
its first batch late and a short run undercounts its rate. The reference server's rate used in
ratios is therefore the larger of completed/duration and connections / mean latency (Little's
law for a closed loop), which can only lower the ratio in the reference's favour.
"""

import argparse
import collections
import csv
import glob
import json
import os

WORKLOADS = [
    # name, title, target ratio of scimd to the reference server in requests/s (None: no target)
    ("filter_username", "GET /Users?filter=userName eq", 100),
    ("get_by_id", "GET /Users/{id}", 5),
    ("create_user", "POST /Users", 5),
    ("patch_add_member", "PATCH add 1 member to a 5k-member group", 1000),
    ("list_page", "GET /Users page of 100", None),
]
REFERENCE = "scimmy"
SCIMD_SERVERS = ["scimd-sqlite", "scimd-pg"]


def read_rows(path):
    rows = []
    with open(path, newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            server, users, workload, rps, p50, p99, rss, non2xx, socket_errors, count, secs, mean = row
            rows.append({
                "server": server, "users": int(users), "workload": workload,
                "rps": float(rps), "p50": float(p50), "p99": float(p99),
                "rss_mb": int(rss) / 1024, "non2xx": int(non2xx),
                "socket_errors": int(socket_errors), "requests": int(count),
                "seconds": float(secs), "mean": float(mean),
            })
    return rows


def results_table(rows):
    lines = [
        "| users | workload | server | requests | req/s | p50 ms | p99 ms | mean ms | RSS MiB |"
        " non-2xx | socket errors |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    order = {name: n for n, (name, _, _) in enumerate(WORKLOADS)}
    for r in sorted(rows, key=lambda r: (r["users"], order.get(r["workload"], 99), r["server"])):
        lines.append("| %d | %s | %s | %d | %.1f | %.2f | %.2f | %.2f | %.0f | %d | %d |" % (
            r["users"], r["workload"], r["server"], r["requests"], r["rps"], r["p50"], r["p99"],
            r["mean"], r["rss_mb"], r["non2xx"], r["socket_errors"]))
    return lines


def reference_rate(ref, connections):
    """The reference's rate, read in its favour: requests that failed (wrk's socket errors and
    non-2xx answers) count as if answered, so they can only lower scimd's ratio."""
    closed_loop = connections * 1000 / ref["mean"] if ref["mean"] > 0 else 0
    failed = ref["non2xx"] + ref["socket_errors"]
    measured = ref["rps"] + (failed / ref["seconds"] if ref["seconds"] > 0 else 0)
    return max(measured, closed_loop)


def ratio_line(users, title, target, server, mine, ref, connections):
    if ref["requests"] > 0:
        ratio = mine["rps"] / reference_rate(ref, connections)
        shown = "%.1f×" % ratio
        latency = "%.1f×" % (ref["p50"] / mine["p50"]) if mine["p50"] > 0 else "-"
    else:
        # The reference finished nothing: its rate was below one request per run.
        ratio = mine["rps"] * ref["seconds"]
        shown = "> %.0f×" % ratio
        latency = "-"
    if mine["non2xx"] or mine["socket_errors"]:
        met = "invalid: scimd had errors"
    elif ref["non2xx"] or ref["socket_errors"]:
        # Counted in the reference's favour (reference_rate), so the verdict still holds.
        met = "n/a" if target is None else (
            "yes (reference failures counted as answers)" if ratio >= target else "no")
    elif target is None:
        met = "n/a"
    else:
        met = "yes" if ratio >= target else ("no" if ref["requests"] > 0 else "unknown")
    return "| %d | %s | %s | %s | %s | %s | %s |" % (
        users, title, server, shown, latency, "-" if target is None else "≥%d×" % target, met)


def ratio_table(rows, connections):
    by_key = {(r["server"], r["users"], r["workload"]): r for r in rows}
    sizes = sorted({r["users"] for r in rows if r["server"] == REFERENCE})
    lines = [
        "| users | workload | server | req/s ratio | p50 ratio (ref / scimd) | target | met |",
        "|---:|---|---|---:|---:|---:|---|",
    ]
    for users in sizes:
        for workload, title, target in WORKLOADS:
            ref = by_key.get((REFERENCE, users, workload))
            for server in SCIMD_SERVERS:
                mine = by_key.get((server, users, workload))
                if ref is None or mine is None or mine["requests"] == 0:
                    continue
                lines.append(ratio_line(users, title, target, server, mine, ref, connections))
    return lines


SCALE_LOOKUPS = [("filter_username", "userName eq"), ("filter_external_id", "externalId eq")]
SCALE_PAGES = [
    ("page_deep_cursor", "page_first_cursor", "deep cursor page / first cursor page", "≈1"),
    ("page_deep_index", "page_first_index", "deep index page / first index page",
     "grows (why cursors exist)"),
]
GROUP_WORKLOADS = [
    ("group_patch_lean", "PATCH add 1 member, ?excludedAttributes=members", 1.5),
    ("group_get_lean", "GET group, ?excludedAttributes=members", 1.5),
    ("group_patch_full", "PATCH add 1 member, no query (answers 204 No Content)", None),
]


def fmt_ratio(value, target=None):
    shown = "%.2f" % value
    if target is None:
        return shown, "n/a"
    return shown, "yes" if value <= target else "no"


def scale_section(rows):
    """Ratios within one scale run: growth with directory size, deep versus first pages."""
    by_key = {(r["server"], r["users"], r["workload"]): r for r in rows}
    sizes = sorted({r["users"] for r in rows})
    servers = [s for s in SCIMD_SERVERS if any(r["server"] == s for r in rows)]
    if not sizes:
        return []
    small, large = sizes[0], sizes[-1]
    out = ["### Lookups as the directory grows", "",
           "| server | lookup | " + " | ".join("req/s @%d" % n for n in sizes) + " | " +
           " | ".join("p99 ms @%d" % n for n in sizes) + " | p99 %d / p99 %d | target | met |" %
           (large, small),
           "|---|---|" + "---:|" * (2 * len(sizes) + 1) + "---:|---|"]
    for server in servers:
        for workload, title in SCALE_LOOKUPS:
            runs = [by_key.get((server, n, workload)) for n in sizes]
            if runs[0] is None or runs[-1] is None:
                continue
            shown, met = fmt_ratio(runs[-1]["p99"] / runs[0]["p99"], 2)
            out.append("| %s | %s | %s | %s | %s | < 2 | %s |" % (
                server, title, " | ".join("%.0f" % r["rps"] if r else "-" for r in runs),
                " | ".join("%.2f" % r["p99"] if r else "-" for r in runs), shown, met))
    out += ["", "### Memory as the directory grows", "",
            "Largest resident set (MiB) of the server process over all runs at each size.", "",
            "| server | " + " | ".join("RSS MiB @%d" % n for n in sizes) +
            " | RSS %d / RSS %d | target | met |" % (large, small),
            "|---|" + "---:|" * (len(sizes) + 1) + "---:|---|"]
    for server in servers:
        peaks = [max((r["rss_mb"] for r in rows if r["server"] == server and r["users"] == n),
                     default=None) for n in sizes]
        if peaks[0] is None or peaks[-1] is None:
            continue
        shown, met = fmt_ratio(peaks[-1] / peaks[0], 1.5)
        out.append("| %s | %s | %s | ≤ 1.5 | %s |" % (
            server, " | ".join("%.0f" % p if p is not None else "-" for p in peaks), shown, met))
    out += ["", "### Deep pages (count=100, last page of the directory) versus the first page", "",
            "Ratios of mean latency (ms) measured with one page requested repeatedly.", "",
            "| server | users | first ms | deep ms | ratio | what | expected |",
            "|---|---:|---:|---:|---:|---|---|"]
    for server in servers:
        for n in sizes:
            for deep, first, title, expected in SCALE_PAGES:
                d, f = by_key.get((server, n, deep)), by_key.get((server, n, first))
                if d is None or f is None:
                    continue
                out.append("| %s | %d | %.2f | %.2f | %.2f | %s | %s |" % (
                    server, n, f["mean"], d["mean"], d["mean"] / f["mean"], title, expected))
    group_rows = [r for r in rows if r["workload"].startswith("group_")]
    if group_rows:
        out += ["", "### Groups of 100, 10k and 100k members (mean latency ms, %d users)" % large,
                "", "| server | workload | @100 | @10000 | @100000 | @100000 / @100 | target |"
                " met |", "|---|---|---:|---:|---:|---:|---|---|"]
        for server in servers:
            for prefix, title, target in GROUP_WORKLOADS:
                runs = [by_key.get((server, large, "%s_%d" % (prefix, m)))
                        for m in (100, 10000, 100000)]
                if runs[0] is None or runs[-1] is None:
                    continue
                shown, met = fmt_ratio(runs[-1]["mean"] / runs[0]["mean"], target)
                out.append("| %s | %s | %s | %s | %s |" % (
                    server, title, " | ".join("%.2f" % r["mean"] if r else "-" for r in runs),
                    shown, "≤ %.1f" % target if target else "-") + " %s |" % met)
    return out


def save_suite(args, rows):
    """Keeps each suite's rows so RESULTS.md shows the latest run of every suite."""
    runs_dir = os.path.join(os.path.dirname(os.path.abspath(args.out)), "runs")
    os.makedirs(runs_dir, exist_ok=True)
    meta = {"date": args.date, "machine": args.machine, "commit": args.commit,
            "settings": args.settings, "notes": args.notes, "connections": args.connections}
    with open(os.path.join(runs_dir, args.suite + ".json"), "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1)
    suites = {}
    for path in sorted(glob.glob(os.path.join(runs_dir, "*.json"))):
        with open(path) as f:
            suites[os.path.basename(path)[:-5]] = json.load(f)
    return suites


def meta_lines(meta):
    lines = ["- Date: " + meta["date"], "- Machine: " + meta["machine"],
             "- Commit: " + meta["commit"], "- Settings: " + meta["settings"]]
    if meta.get("notes"):
        lines.append("- Notes: " + meta["notes"])
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--date", required=True)
    parser.add_argument("--machine", required=True)
    parser.add_argument("--commit", required=True)
    parser.add_argument("--settings", required=True)
    parser.add_argument("--notes", default="")
    parser.add_argument("--connections", type=int, required=True, help="wrk -c of every run")
    parser.add_argument("--suite", default="side_by_side", help="side_by_side or scale")
    args = parser.parse_args()
    suites = save_suite(args, read_rows(args.rows))
    side = suites.get("side_by_side", {"meta": None, "rows": []})
    rows = side["rows"]

    text = [
        "# Benchmark results",
        "",
        "Written by `scripts/bench`; rerun it rather than editing this file. Ratios compare",
        "servers measured in the same run on the same machine only; numbers from different runs",
        "or machines are not comparable. wrk, the servers and PostgreSQL share the machine's",
        "cores, so expect ±20 % noise between runs. For the reference server, ratios use the",
        "larger of its measured rate and connections ÷ mean latency, because a server that takes",
        "seconds per request finishes few requests inside a short run; requests the reference",
        "failed (timeouts, resets) count as answered in its rate, which can only lower scimd's",
        "ratio. A run in which scimd itself had errors makes its comparison invalid.",
        "",
        "- Reference server: `%s` (SCIMMY on Express, in memory) from the shared peers directory" % REFERENCE,
        "",
        "## Side by side with the reference server",
        "",
    ]
    if side["meta"]:
        text += meta_lines(side["meta"])
    ratios = ratio_table(rows, side["meta"]["connections"] if side["meta"] else 16)
    text += ["", "### Ratios scimd / reference (requests per second)", ""]
    text += ratios if len(ratios) > 2 else ["No run had both scimd and the reference server."]
    text += ["", "### All runs", ""] + results_table(rows)
    counts = collections.Counter(r["server"] for r in rows)
    text += ["", "Runs per server: " + ", ".join("%s %d" % kv for kv in sorted(counts.items())), ""]
    if "scale" in suites:
        scale = suites["scale"]
        text += ["## scimd at scale (`scripts/bench --scale`)", ""] + meta_lines(scale["meta"])
        text += [""] + scale_section(scale["rows"])
        text += ["", "### All scale runs", ""] + results_table(scale["rows"]) + [""]

    with open(args.out, "w") as f:
        f.write("\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
