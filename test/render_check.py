#!/usr/bin/env python3
"""Render the pictures sqlflow_export draws with the real renderers.

For each job given, psql (PG* from the environment) draws the lineage with
sqlflow_dot, sqlflow_dot_tables, sqlflow_mermaid and sqlflow_mermaid_tables;
Graphviz (`dot -Tsvg`) and the Mermaid CLI (`mmdc`, with the system's
Chromium) render each; every rendering must succeed and its SVG must hold the
name of every table and column of the rows drawn (XML entities resolved,
white space folded: a newline in a name may become a line break).

    render_check.py --mmdc PATH --out DIR JOB [JOB ...]

Prints "ok - ..." or "not ok - ..." per rendering, then "N passed, N failed".
"""
import argparse
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

DRAW = {
    "dot": ("sqlflow_dot", "dot"),
    "dot_tables": ("sqlflow_dot_tables", "dot"),
    "mermaid": ("sqlflow_mermaid", "mmd"),
    "mermaid_tables": ("sqlflow_mermaid_tables", "mmd"),
}


def psql(sql):
    out = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return out[:-1] if out.endswith("\n") else out


def quote(s):
    return "'" + s.replace("'", "''") + "'"


def fold(s):
    return re.sub(r"\s+", " ", s).strip()


def svg_text(path):
    root = ET.parse(path).getroot()
    return fold(" ".join(root.itertext()))


def names(job, tables_only):
    # table labels as the pictures write them, and column names
    label = ("concat_ws('.', nullif(nullif(source_db, 'DEFAULT'), ''), "
             "nullif(nullif(source_schema, 'DEFAULT'), ''), source_table)")
    tlabel = label.replace("source_", "target_")
    q = (f"SELECT json_agg(DISTINCT n) FROM (SELECT {label} FROM sqlflow_lineage({quote(job)}) "
         f"UNION SELECT {tlabel} FROM sqlflow_lineage({quote(job)})")
    if not tables_only:
        q += (f" UNION SELECT source_column FROM sqlflow_lineage({quote(job)}) "
              f"UNION SELECT target_column FROM sqlflow_lineage({quote(job)})")
    q += ") x(n) WHERE n <> ''"
    return json.loads(psql(q) or "[]") or []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mmdc", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("jobs", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    # Mermaid refuses more than 500 edges unless told otherwise
    config = os.path.join(args.out, "mermaid.json")
    with open(config, "w") as f:
        json.dump({"maxEdges": 100000, "maxTextSize": 10000000}, f)
    puppeteer = os.path.join(args.out, "puppeteer.json")
    with open(puppeteer, "w") as f:
        json.dump({"executablePath": "/usr/bin/chromium",
                   "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update",
                            "--disable-sync"]}, f)
    passed = failed = 0
    for job in args.jobs:
        for kind, (agg, ext) in DRAW.items():
            src = os.path.join(args.out, f"{job}.{kind}.{ext}")
            svg = src + ".svg"
            what = f"{job} {agg}"
            try:
                text = psql(f"SELECT {agg}(l) FROM sqlflow_lineage({quote(job)}) l")
                with open(src, "w", encoding="utf-8") as f:
                    f.write(text)
                if ext == "dot":
                    cmd = ["dot", "-Tsvg", "-o", svg, src]
                else:
                    cmd = [args.mmdc, "-q", "-p", puppeteer, "-c", config, "-i", src, "-o", svg]
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
                if r.returncode != 0 or not os.path.exists(svg):
                    msg = [l for l in (r.stderr or r.stdout).splitlines()
                           if l.strip() and not l.lstrip().startswith("at ")]
                    raise RuntimeError(f"renderer failed ({r.returncode}): {' | '.join(msg)[:400]}")
                have = svg_text(svg)
                missing = [n for n in names(job, kind.endswith("tables")) if fold(n) not in have]
                if missing:
                    raise RuntimeError(f"names missing from the SVG: {missing[:5]}")
                print(f"ok - {what}: rendered, every name in the SVG")
                passed += 1
            except Exception as e:  # noqa: BLE001 - report and go on
                print(f"not ok - {what}: {e}")
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
