#!/usr/bin/env python3
"""A loopback SQLFlow server for sqlflow_export's demo and tests.

It speaks the REST API described in the project's reference (the vendor's
documented endpoints, fields and answers) well enough to be the peer of every
test: both base prefixes, parameters from multipart, urlencoded bodies or the
query string, JSON request bodies refused with HTTP 400, generateToken with its
string "code", token checks with in-body 401, in-body errors for unknown or
unfinished jobs, the job life cycle, the three exports, and misbehaviour on
request (job ids "fault-<kind>", listed in FAULTS below).

It binds 127.0.0.1 only, on a free port unless told otherwise, writes the port
to --port-file, and stops by itself after --lifetime seconds or when the
--parent-pid process is gone.  Standard library only.
"""

import argparse
import copy
import hashlib
import html
import json
import os
import re
import secrets
import select
import socket
import struct
import sys
import threading
import time
import base64
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PREFIXES = ("/api/gspLive_backend", "/gspLive_backend")
DEMO_JOB = "c359aef4bd9641d697732422debd8055"
ONPREM_USER = "gudu|0123456789"
# test accounts: userId -> secretKey
CLOUD_USERS = {
    "auth0|sqlflow-test": "test-secret-key-0123456789",
    "auth0|expiring": "expiring-secret-key",
    "auth0|expiring-http": "expiring-http-secret-key",
    "auth0|forever": "forever-secret-key",
}
# users whose tokens are good for one authenticated request only
ONE_USE_USERS = {"auth0|expiring", "auth0|expiring-http"}
# users whose refused tokens get HTTP 401 rather than the in-body code
HTTP_AUTH_USERS = {"auth0|expiring-http"}
# users whose tokens claim an expiry far beyond any timestamp
FOREVER_USERS = {"auth0|forever"}
# tokens users obtained themselves (the mapping's "token" option)
STATIC_TOKENS = {"auth0|static": "s3cr3t-static-token-0123456789", "auth0|short": "k9",
                 "auth0|nolist": "nolist-token-0123456789"}
# users whose job list comes back cut off (not JSON): a client's question fails
BROKEN_LIST_USERS = {"auth0|nolist"}
DBVENDORS = {
    "dbvpostgresql", "dbvoracle", "dbvmssql", "dbvmysql", "dbvsnowflake", "dbvbigquery",
    "dbvredshift", "dbvhive", "dbvsparksql", "dbvteradata", "dbvdb2", "dbvgreenplum",
    "dbvvertica", "dbvnetezza", "dbvsybase", "dbvinformix", "dbvhana", "dbvimpala",
    "dbvazuresql", "dbvcouchbase", "dbvmdx", "dbvopenedge", "dbvansi", "dbvathena",
    "dbvgaussdb", "dbvpresto",
}
CSV_HEADER = ["source_db", "source_schema", "source_table", "source_column",
              "target_db", "target_schema", "target_table", "target_column",
              "relation_type", "effect_type"]
INVALID_USER = "Invalid user or token, access deny."
# preloaded jobs whose names are not their file names
JOB_NAMES = {"e1c0de00e1c0de00e1c0de00e1c0de00": "naïve 中文 ☃ job"}
# The real server answers an unknown job and an export of an unfinished one
# with the generic code 500 and free text (its wording is not documented;
# clients must not depend on it, so it varies here on purpose).
GENERIC_JOB_ERRORS = ["java.lang.NullPointerException", "Job not found or not ready.",
                      "Internal error, please contact support."]

# fault kinds (job id "fault-<kind>"), for the documentation and the self-check
FAULTS = [
    "http500", "http404", "http429", "http400",
    "code401", "code403", "code404", "code409", "code410", "code429", "code500", "code203",
    "notjson", "truncated", "emptybody", "notxml", "csvwrongcols", "csvunterminated",
    "badutf8", "nul", "bom", "badheader", "echotoken", "hang", "stall", "drip", "reset", "slow-<seconds>",
    "big-<bytes>", "bigchunked-<bytes>", "longrecord-<bytes>",
    "redirect-file", "redirect-port", "redirect-loop", "redirect-same",
    "endless500", "big500-<bytes>",
    # the CSV export is a header without rows, the JSON export then fails as <kind>
    "emptycsv-<kind>",
]
# Users "echo|<kind>|<offset>" get, from every endpoint and before any token
# check, an error page that quotes the credential they sent (the secretKey
# to /user/generateToken, the token elsewhere) at that byte offset, followed
# by more text: what a careless proxy or server does.  Kinds: "html" (HTTP
# 500, text/html, tags and runs of white space around it), "text" (HTTP
# 500, text/plain with tabs, CRs and newlines), "json" (HTTP 500 with an
# error envelope) and "code" (HTTP 200 with the in-body code 500); in the
# JSON kinds the credential is in the "error" string, at the offset or
# just after the string's opening quote, whichever comes later.  Kind
# "bare" is HTTP 200 with a body that is not JSON: the credential stands as
# a bare word where a value should be (a JSON parser's error quotes it).
ECHO_KINDS = ("html", "text", "json", "code", "bare")
ECHO_HTML_HEAD = ("<html><head><title>500 Internal Server Error</title></head>\n<body>\n"
                  "<h1>Internal Server Error</h1>\n<p>")
ECHO_FILLER = {
    "html": "The proxy   <b>refused</b> the\trequest; <i>see</i>\n  <a href=\"/x\">the log</a>. ",
    "text": "The proxy refused the request;\r\n\tsee the log  for the\x01 reason.\n",
    "json": "The proxy refused the request; see the log for the reason. ",
}
# what an echo page carries after the credential
ECHO_TAIL = 700


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.connections = 0
        # connections open now that carried an API request (not /__stats)
        self.open_connections = getattr(self, "open_connections", 0)
        self.requests = {}
        self.token_requests = 0

    def count(self, endpoint):
        with self.lock:
            self.requests[endpoint] = self.requests.get(endpoint, 0) + 1
            if endpoint == "generateToken":
                self.token_requests += 1

    def snapshot(self):
        with self.lock:
            return {"connections": self.connections, "requests": dict(self.requests),
                    "open_connections": self.open_connections,
                    "token_requests": self.token_requests}


class Job:
    def __init__(self, job_id, name, user, vendor, files, status="create", delay=0.0,
                 raw=None, doc=None, sql=""):
        self.job_id = job_id
        self.name = name
        self.user = user            # None: preloaded, visible to every user
        self.vendor = vendor
        self.files = files
        self.status = status
        self.created = time.time()
        self.create_time = time.strftime("%Y-%m-%d %H:%M:%S")
        self.delay = delay
        self.raw = raw              # exact bytes of a fixture or sample
        self.doc = doc              # parsed document
        self.sql = sql
        self.error_message = None

    def current_status(self):
        if self.status == "create" and time.time() - self.created >= self.delay:
            if self.name.startswith("fail"):
                self.status = "fail"
                self.error_message = "syntax error in submitted SQL (simulated)"
            else:
                self.status = "success"
        return self.status

    def summary(self):
        status = self.current_status()
        obj = {
            "jobId": self.job_id, "jobName": self.name,
            "userId": self.user or ONPREM_USER, "dbVendor": self.vendor,
            "dataSource": {}, "fileNames": self.files, "createTime": self.create_time,
            "status": status, "sessionId": f"{self.job_id}_{int(self.created * 1000)}",
            "executeTime": "0min 1sec", "executeTimeMillis": 1000, "version": "6.1.0.0",
        }
        if self.error_message:
            obj["errorMessage"] = self.error_message
        return obj


class OpenLineageTenant:
    """What an OpenLineage receiver got, and how it is told to fail."""
    def __init__(self):
        self.events = []            # the accepted events, parsed
        self.auth = []              # the Authorization header of each request
        self.fail_after = None      # accept this many, then fail
        self.fail_status = 500
        self.delay = 0.0            # seconds to wait before each answer


# the bearer key that tenants named "auth-..." insist on
OPENLINEAGE_KEY = "ol-test-key-0123456789"


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.jobs = {}
        self.order = []             # job ids in creation order
        self.tokens = {}            # token -> [user, expiry, uses_left]
        self.generated = {}         # cache of generated big bodies
        self.submitted = {}         # (user, job name) -> how many so far
        self.busy = 0               # answer this many API requests "busy"
        self.busy_kind = "code"
        self.last_export = {}
        self.last_request = {}      # path and User-Agent of the last API request
        self.openlineage = {}       # tenant -> OpenLineageTenant
        self.stats = Stats()
        self.fixtures = args.fixtures
        self.load_dir(os.path.join(args.fixtures, "jobs"), samples=False)
        if args.samples and os.path.isdir(args.samples):
            self.load_dir(args.samples, samples=True)

    def load_dir(self, path, samples):
        if not os.path.isdir(path):
            return
        for name in sorted(os.listdir(path)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(path, name), "rb") as f:
                raw = f.read()
            doc = json.loads(raw)
            stem = name[:-5]
            if samples:
                job_id = doc.get("jobId") or hashlib.md5(name.encode()).hexdigest()
            else:
                job_id = stem
            data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
            sqlflow = data.get("sqlflow") if isinstance(data.get("sqlflow"), dict) else {}
            vendor = sqlflow.get("dbvendor", "dbvoracle")
            status = "partial_success" if str(doc.get("code")) == "203" else "success"
            job = Job(job_id, JOB_NAMES.get(job_id, stem), None, vendor, [stem + ".sql"],
                      status=status, raw=raw, doc=doc)
            job.create_time = "2024-01-02 03:04:05"
            self.jobs[job_id] = job
            self.order.append(job_id)

    # --- credentials -----------------------------------------------------------
    def issue_token(self, user):
        now = int(time.time())
        exp = now + self.args.token_ttl
        if user in FOREVER_USERS:
            exp = 10 ** 17

        def b64(obj):
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
        token = ".".join([b64({"alg": "HS256", "typ": "JWT"}),
                          b64({"sub": user, "iat": now, "exp": exp}),
                          secrets.token_urlsafe(24)])
        with self.lock:
            self.tokens[token] = [user, exp, 1 if user in ONE_USE_USERS else None]
        return token

    def check_token(self, user, token):
        if user == ONPREM_USER and token == "token":
            return True
        if user in STATIC_TOKENS and secrets.compare_digest(STATIC_TOKENS[user], token):
            return True
        with self.lock:
            entry = self.tokens.get(token)
            if entry is None or entry[0] != user or entry[1] < time.time():
                return False
            if entry[2] is not None:
                entry[2] -= 1
                if entry[2] <= 0:
                    del self.tokens[token]
            return True

    # --- jobs ------------------------------------------------------------------------
    def visible(self, job, user):
        return job.user is None or job.user == user

    def find(self, job_id, user):
        job = self.jobs.get(job_id)
        if job is None or not self.visible(job, user):
            return None
        return job

    def latest(self, user):
        for job_id in reversed(self.order):
            job = self.jobs.get(job_id)
            if job is not None and job.user == user:
                return job
        return self.jobs.get(DEMO_JOB)

    def submit(self, user, name, vendor, files):
        # 32 hex digits like the real ids, but repeatable: the same
        # submissions in the same order get the same ids, so test output that
        # names a job stays the same from run to run
        with self.lock:
            self.submitted[(user, name)] = n = self.submitted.get((user, name), 0) + 1
        job_id = hashlib.md5(f"{user}|{name}|{n}".encode()).hexdigest()
        sql = "\n".join(content.decode("utf-8", "replace") for _, content in files)
        job = Job(job_id, name, user, vendor, [fn or "query.sql" for fn, _ in files],
                  delay=self.args.job_delay, sql=sql)
        job.doc = export_envelope(job_id, vendor, naive_lineage(sql))
        with self.lock:
            self.jobs[job_id] = job
            self.order.append(job_id)
        return job

    def delete(self, job_id):
        with self.lock:
            job = self.jobs.pop(job_id, None)
            if job_id in self.order:
                self.order.remove(job_id)
        return job


# --- lineage documents ---------------------------------------------------------------

def relationships_of(doc):
    """The relationship list of any JSON variant."""
    data = doc.get("data") if isinstance(doc.get("data"), dict) else doc
    sqlflow = data.get("sqlflow") if isinstance(data.get("sqlflow"), dict) else data
    for key in ("relationships", "relationship", "relations"):
        rels = sqlflow.get(key)
        if isinstance(rels, dict):
            return [rels]
        if isinstance(rels, list):
            return rels
    return []


def split_name(name):
    """Split a qualified name on dots outside double quotes and brackets."""
    parts, cur, quote = [], "", None
    for ch in name or "":
        if quote:
            cur += ch
            if ch == quote:
                quote = None
        elif ch == '"':
            cur += ch
            quote = '"'
        elif ch == "[":
            cur += ch
            quote = "]"
        elif ch == ".":
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def qualify(parent, unknown):
    parts = split_name(parent)
    if len(parts) >= 3:
        return ".".join(parts[:-2]), parts[-2], parts[-1]
    if len(parts) == 2:
        return unknown, parts[0], parts[1]
    return unknown, unknown, parts[0]


def table_level(rels):
    out, seen = [], set()
    for rel in rels:
        sources = rel.get("sources") or []
        key = (rel.get("type"), (rel.get("target") or {}).get("parentName"),
               tuple(sorted(s.get("parentName") or "" for s in sources)))
        if key in seen:
            continue
        seen.add(key)
        rel = copy.deepcopy(rel)
        for end in [rel.get("target") or {}] + list(rel.get("sources") or []):
            end["column"] = "TABLE"
            end["coordinates"] = []
        out.append(rel)
    return out


def csv_rows(doc, table_to_table):
    unknown = "" if doc.get("csvQuoteAll") else "DEFAULT"
    rows, seen = [], set()
    for rel in relationships_of(doc):
        target = rel.get("target") or {}
        tdb, tschema, ttable = qualify(target.get("parentName"), unknown)
        for src in rel.get("sources") or []:
            sdb, sschema, stable = qualify(src.get("parentName"), unknown)
            scol = "TABLE" if table_to_table else str(src.get("column", ""))
            tcol = "TABLE" if table_to_table else str(target.get("column", ""))
            row = (sdb, sschema, stable, scol, tdb, tschema, ttable, tcol,
                   str(rel.get("type", "")), str(rel.get("effectType", "")))
            if table_to_table:
                if row in seen:
                    continue
                seen.add(row)
            rows.append(row)
    return rows


def filtered(doc, params):
    """The document with the relationships the filter options keep (a copy),
    or the document itself when no such option was given."""
    kinds = params.get("showRelationType")
    wanted = [(k, params[k]) for k in ("database", "schema", "table", "column") if params.get(k)]
    if kinds is None and not wanted:
        return doc

    def touches(end):
        db, schema, table = qualify(end.get("parentName"), "")
        have = {"database": db, "schema": schema, "table": table, "column": str(end.get("column", ""))}
        return all(have[k].strip('"').lower() == v.lower() for k, v in wanted)

    doc = copy.deepcopy(doc)
    data = doc.get("data") if isinstance(doc.get("data"), dict) else doc
    sqlflow = data.get("sqlflow") if isinstance(data.get("sqlflow"), dict) else data
    for key in ("relationships", "relationship", "relations"):
        if key in sqlflow:
            rels = sqlflow[key] if isinstance(sqlflow[key], list) else [sqlflow[key]]
            sqlflow[key] = [r for r in rels
                            if (kinds is None or r.get("type") in kinds.lower().split(","))
                            and (not wanted or touches(r.get("target") or {})
                                 or any(touches(x) for x in r.get("sources") or []))]
    return doc


def csv_field(value, delimiter, quote_all):
    if quote_all or any(c in value for c in (delimiter, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def to_csv(doc, table_to_table, delimiter):
    quote_all = bool(doc.get("csvQuoteAll"))
    lines = [delimiter.join(csv_field(h, delimiter, quote_all) for h in CSV_HEADER)]
    for row in csv_rows(doc, table_to_table):
        lines.append(delimiter.join(csv_field(v, delimiter, quote_all) for v in row))
    return ("\n".join(lines) + "\n").encode("utf-8")


def to_graphml(doc, table_to_table):
    esc = html.escape
    tables = {}
    edges = []
    for row in csv_rows(doc, table_to_table):
        src = ".".join(p for p in row[0:3] if p and p != "DEFAULT")
        tgt = ".".join(p for p in row[4:7] if p and p != "DEFAULT")
        tables.setdefault(src, set()).add(row[3])
        tables.setdefault(tgt, set()).add(row[7])
        edges.append((src, row[3], tgt, row[7], row[8]))
    ids = {}
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
           '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:y="http://www.yworks.com/xml/graphml">',
           '  <key for="node" id="d0" yfiles.type="nodegraphics"/>',
           '  <key for="edge" id="d1" yfiles.type="edgegraphics"/>',
           '  <key attr.name="relationType" attr.type="string" for="edge" id="d2"/>',
           '  <graph edgedefault="directed" id="G">']
    for t_index, (table, columns) in enumerate(sorted(tables.items())):
        tid = f"n{t_index}"
        out.append(f'    <node id="{tid}"><data key="d0"><y:ProxyAutoBoundsNode><y:Realizers active="0">'
                   f'<y:GroupNode><y:NodeLabel>{esc(table)}</y:NodeLabel></y:GroupNode>'
                   f'</y:Realizers></y:ProxyAutoBoundsNode></data>')
        out.append(f'      <graph edgedefault="directed" id="{tid}:">')
        for c_index, column in enumerate(sorted(columns)):
            cid = f"{tid}::n{c_index}"
            ids[(table, column)] = cid
            out.append(f'        <node id="{cid}"><data key="d0"><y:ShapeNode><y:NodeLabel>'
                       f'{esc(column)}</y:NodeLabel></y:ShapeNode></data></node>')
        out.append("      </graph>")
        out.append("    </node>")
    for e_index, (st, sc, tt, tc, rtype) in enumerate(edges):
        out.append(f'    <edge id="e{e_index}" source="{ids[(st, sc)]}" target="{ids[(tt, tc)]}">'
                   f'<data key="d2">{esc(rtype)}</data><data key="d1"><y:PolyLineEdge>'
                   f'<y:Arrows source="none" target="standard"/></y:PolyLineEdge></data></edge>')
    out.append("  </graph>")
    out.append("</graphml>")
    return ("\n".join(out) + "\n").encode("utf-8")


def export_envelope(job_id, vendor, lineage, code=200, error=None):
    rels, dbobjs = lineage
    doc = {"jobId": job_id, "code": code,
           "data": {"mode": "global",
                    "summary": {"relationship": len(rels), "table": len(dbobjs)},
                    "sqlflow": {"dbvendor": vendor, "dbobjs": dbobjs, "relationships": rels}},
           "sessionId": f"{job_id}_{int(time.time() * 1000)}"}
    if error is not None:
        doc["error"] = error
    return doc


IDENT = r'(?:"[^"]+"|[A-Za-z_][\w$]*)(?:\.(?:"[^"]+"|[A-Za-z_][\w$]*))*'


def split_top(text):
    items, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    return [i.strip() for i in items if i.strip()]


def naive_lineage(sql):
    """A deterministic stand-in for SQLFlow's analysis: enough per-job lineage."""
    rels, objs, ids = [], {}, [0]

    def new_id():
        ids[0] += 1
        return str(ids[0])

    def obj(name, kind):
        if name not in objs:
            objs[name] = {"id": new_id(), "name": name, "type": kind, "columns": []}
        return objs[name]

    def add(src_table, src_col, tgt_table, tgt_col, effect, tgt_kind):
        s, t = obj(src_table, "table"), obj(tgt_table, tgt_kind)
        rels.append({"id": new_id(), "type": "fdd", "effectType": effect,
                     "target": {"id": new_id(), "column": tgt_col, "parentId": t["id"],
                                "parentName": tgt_table},
                     "sources": [{"id": new_id(), "column": src_col, "parentId": s["id"],
                                  "parentName": src_table}]})

    patterns = [
        (re.compile(r"create\s+(?:or\s+replace\s+)?(materialized\s+)?view\s+(" + IDENT +
                    r")\s*(?:\([^)]*\))?\s+as\s+select\s+(.*?)\s+from\s+(" + IDENT + r")", re.I | re.S),
         "create_view"),
        (re.compile(r"create\s+table\s+(" + IDENT + r")\s+as\s+select\s+(.*?)\s+from\s+(" +
                    IDENT + r")", re.I | re.S), "ctas"),
        (re.compile(r"insert\s+into\s+(" + IDENT + r")\s*(\([^)]*\))?\s*select\s+(.*?)\s+from\s+(" +
                    IDENT + r")", re.I | re.S), "insert"),
    ]
    for stmt in sql.split(";"):
        for pattern, effect in patterns:
            for m in pattern.finditer(stmt):
                if effect == "create_view":
                    target, items, source = m.group(2), m.group(3), m.group(4)
                    names = None
                    kind = "view"
                elif effect == "ctas":
                    target, items, source = m.group(1), m.group(2), m.group(3)
                    names, kind = None, "table"
                else:
                    target, items, source = m.group(1), m.group(3), m.group(4)
                    names = split_top(m.group(2)[1:-1]) if m.group(2) else None
                    kind = "table"
                found = False
                for n, item in enumerate(split_top(items)):
                    mm = re.fullmatch(r"(" + IDENT + r")(?:\s+(?:as\s+)?(\w+))?", item, re.I | re.S)
                    if not mm:
                        continue
                    col = mm.group(1).split(".")[-1]
                    alias = names[n] if names and n < len(names) else (mm.group(2) or col)
                    add(source, col, target, alias, effect, kind)
                    found = True
                if not found:
                    add(source, "TABLE", target, "TABLE", effect, kind)
    return rels, list(objs.values())


# --- generated bodies ------------------------------------------------------------------

def gen_csv(rows):
    out = [",".join(CSV_HEADER)]
    for i in range(rows):
        out.append(f"DEFAULT,SALES_{i % 50:02d},ORDER_LINES_{i % 1000:04d},AMOUNT_{i % 37:02d}_NET,"
                   f"WAREHOUSE,MART_{i % 20:02d},FACT_ORDERS_{i % 300:03d},"
                   f"\"TOTAL, AMOUNT {i % 11}\",fdd,{('insert', 'select', 'create_view')[i % 3]}")
    return ("\n".join(out) + "\n").encode()


def gen_json(size, code=200):
    rels, total, i = [], 0, 0
    while total < size:
        rel = {"id": str(i), "type": "fdd", "effectType": "insert",
               "target": {"id": str(i * 3 + 1), "column": f"TARGET_COLUMN_{i % 97}",
                          "parentId": str(i % 300), "parentName": f"MART.FACT_{i % 300}",
                          "coordinates": [{"x": i % 500, "y": 7, "hashCode": "0"}]},
               "sources": [{"id": str(i * 3 + 2), "column": f"SOURCE_COLUMN_{i % 89}",
                            "parentId": str(1000 + i % 1000), "parentName": f"SALES.ORDERS_{i % 1000}",
                            "coordinates": [{"x": i % 500, "y": 21, "hashCode": "0"}]}]}
        rels.append(rel)
        total += 330
        i += 1
    doc = {"jobId": "generated", "code": code,
           "data": {"mode": "global", "summary": {"relationship": len(rels)},
                    "sqlflow": {"dbvendor": "dbvoracle", "dbobjs": [], "relationships": rels}},
           "sessionId": "generated"}
    return json.dumps(doc, separators=(",", ":")).encode()



LINEAGE_SCHEMAS = ["SALES", "MART", "STAGE", "FINANCE", "HR", "INVENTORY", "CRM", "DWH"]
LINEAGE_TABLES = ["ORDERS", "ORDER_LINES", "CUSTOMERS", "PRODUCTS", "INVOICES", "PAYMENTS",
                  "SHIPMENTS", "EMPLOYEES", "ACCOUNTS", "FACT_SALES", "DIM_DATE", "STOCK"]
LINEAGE_COLUMNS = ["ID", "CUSTOMER_ID", "ORDER_DATE", "AMOUNT", "QUANTITY", "STATUS",
                   "REGION_CODE", "UNIT_PRICE", "DISCOUNT", "CREATED_AT", "UPDATED_AT",
                   "DESCRIPTION", "CURRENCY", "PRODUCT_ID", "STORE_ID"]


def gen_lineage(size, job_id):
    """A lineage job of about `size` bytes of JSON, and its CSV export: the
    same relationships in both (one CSV row per source).  Returns
    (json_body, csv_body, relationships, sources, tables), the bodies as
    bytearrays.  Deterministic: a fixed-seed linear congruential generator
    picks the tables and columns.  The bodies are built piecewise into
    bytearrays (grown in place), so that the peak is not twice the body."""
    tables = max(4, min(4000, size // 40000))
    next_id = 1
    dbobjs = []
    # per table: id, name, and per column (id, name, JSON end prefixes, CSV part)
    table_cols = []
    for t in range(tables):
        schema = LINEAGE_SCHEMAS[t % len(LINEAGE_SCHEMAS)]
        name = f"{schema}.{LINEAGE_TABLES[(t // len(LINEAGE_SCHEMAS)) % len(LINEAGE_TABLES)]}_{t:04d}"
        tid = str(next_id)
        next_id += 1
        cols = []
        for c in range(6 + t % 10):
            col = LINEAGE_COLUMNS[(c + t) % len(LINEAGE_COLUMNS)]
            cid = str(next_id)
            next_id += 1
            prefix = f'{{"id":"{cid}","column":"{col}","parentId":"{tid}"'
            cols.append((cid, col,
                         prefix + f',"parentName":"{name}","coordinates":[',
                         prefix + ',"coordinates":[',
                         f"DEFAULT,{schema},{name.split('.', 1)[1]},{col}"))
        table_cols.append(cols)
        dbobjs.append(f'{{"id":"{tid}","name":"{name}","type":"table","columns":[' +
                      ",".join(f'{{"id":"{cid}","name":"{col}"}}' for cid, col, _, _, _ in cols) +
                      "]}")
    dbobjs_json = ",".join(dbobjs)
    # coordinates: [{"x":line,"y":column},{"x":line,"y":column + width}], a few hundred variants
    coords = [f'{{"x":{k % 251 + 1},"y":{k % 37 + 5},"hashCode":"0"}},'
              f'{{"x":{k % 251 + 1},"y":{k % 37 + 5 + k % 13 + 4},"hashCode":"0"}}]}}'
              for k in range(509)]
    base = next_id                      # relationship ids base + 2i, process ids odd above base
    body = bytearray()
    csv = bytearray((",".join(CSV_HEADER) + "\n").encode())
    budget = size - len(dbobjs_json) - 200
    seed = 0x2545F4914F6CDD1D
    mask = (1 << 64) - 1
    rels = sources = total = 0
    pending, rows = [], []

    def flush(pending, rows):
        if pending:
            if body:
                body.extend(b",")
            body.extend(",".join(pending).encode())
            csv.extend("".join(rows).encode())
            pending.clear()
            rows.clear()

    while total < budget or rels == 0:
        seed = (seed * 6364136223846793005 + 1442695040888963407) & mask
        r = seed >> 16
        tt = r % tables
        tcols = table_cols[tt]
        tcol = tcols[(r >> 12) % len(tcols)]
        ends = []
        for _ in range(1 + (r >> 20) % 3):
            seed = (seed * 6364136223846793005 + 1442695040888963407) & mask
            q = seed >> 16
            st = (tt + 1 + q % (tables - 1)) % tables
            scols = table_cols[st]
            scol = scols[(q >> 12) % len(scols)]
            # every 4th source leaves parentName out: consumers look it up in dbobjs
            ends.append((scol[3] if sources % 4 == 3 else scol[2]) + coords[(q >> 24) % 509])
            rows.append(f"{scol[4]},{tcol[4]},fdd,insert\n")
            sources += 1
        rel = (f'{{"id":"{base + 2 * rels}","type":"fdd","effectType":"insert",'
               f'"target":{tcol[2]}{coords[(r >> 24) % 509]},'
               f'"sources":[{",".join(ends)}],'
               f'"processId":"{base + 50 * (rels // 25) + 1}"}}')
        pending.append(rel)
        total += len(rel) + 1
        rels += 1
        if len(pending) == 4096:
            flush(pending, rows)
    flush(pending, rows)
    head = (f'{{"code":200,"data":{{"mode":"global","summary":{{"relationship":{rels},'
            f'"table":{tables}}},"sqlflow":{{"dbvendor":"dbvoracle","dbobjs":[{dbobjs_json}],'
            f'"relationships":[').encode()
    body[0:0] = head
    body += f']}}}},"sessionId":"generated","jobId":"{job_id}"}}'.encode()
    return body, csv, rels, sources, tables

# --- the handler --------------------------------------------------------------------------

def parse_multipart(body, content_type):
    m = re.search(r'boundary="?([^";]+)"?', content_type)
    if not m:
        return None
    boundary = b"--" + m.group(1).encode()
    fields, files = {}, {}
    for part in body.split(boundary)[1:]:
        if part.startswith(b"--"):
            break
        part = part[2:] if part.startswith(b"\r\n") else part
        head, _, content = part.partition(b"\r\n\r\n")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        disp = ""
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if line.lower().startswith("content-disposition:"):
                disp = line
        name = re.search(r'\bname="([^"]*)"', disp)
        filename = re.search(r'\bfilename="([^"]*)"', disp)
        if not name:
            continue
        if filename:
            files.setdefault(name.group(1), []).append((filename.group(1), content))
        else:
            fields[name.group(1)] = content.decode("utf-8", "replace")
    return fields, files


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sqlflow-loopback/1.0"
    # headers and body go out in separate writes: without TCP_NODELAY every
    # keep-alive answer waits ~40 ms for the client's delayed ACK
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        if not self.server.state.args.quiet:
            sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    def setup(self):
        super().setup()
        self.api_connection = False
        stats = self.server.state.stats
        with stats.lock:
            stats.connections += 1

    def note_api_connection(self):
        if not self.api_connection:
            self.api_connection = True
            stats = self.server.state.stats
            with stats.lock:
                stats.open_connections += 1

    def finish(self):
        try:
            super().finish()
        finally:
            if self.api_connection:
                stats = self.server.state.stats
                with stats.lock:
                    stats.open_connections -= 1

    # --- answers -------------------------------------------------------------------
    def send_body(self, status, body, ctype="application/json; charset=utf-8", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, obj, status=200):
        self.send_body(status, json.dumps(obj).encode())

    def envelope_error(self, code, error):
        self.send_json({"code": code, "error": error})

    def send_chunked(self, body, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(0, len(body), 256 * 1024):
            chunk = body[i:i + 256 * 1024]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def wait_for_close(self, limit=300):
        """Say nothing until the client gives up (or the limit passes)."""
        self.wfile.flush()
        end = time.time() + limit
        while time.time() < end:
            r, _, _ = select.select([self.connection], [], [], 0.5)
            if r:
                try:
                    if not self.connection.recv(4096, socket.MSG_PEEK):
                        break
                except OSError:
                    break
                # the client sent more: drain it and keep waiting
                try:
                    self.connection.recv(4096)
                except OSError:
                    break
        self.close_connection = True

    # --- request plumbing --------------------------------------------------------------
    def do_GET(self):
        path = urlsplit(self.path).path
        if path == "/__stats":
            return self.send_json(self.server.state.stats.snapshot())
        if path == "/__last_request":
            # the path and User-Agent of the last API request
            return self.send_json(self.server.state.last_request)
        if path == "/__openlineage":
            return self.openlineage(path)
        if path == "/__last_export":
            # the fields of the last export request, credentials left out
            return self.send_json(self.server.state.last_export)
        if self.endpoint(path) is not None:
            return self.send_body(405, b'{"error":"method not allowed"}', headers={"Allow": "POST"})
        self.send_body(404, b'{"error":"not found"}')

    def endpoint(self, path):
        for prefix in PREFIXES:
            if path.startswith(prefix + "/"):
                return path[len(prefix):]
        return None

    def read_params(self):
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        files = {}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            return None, None, url.query
        if ctype.startswith("multipart/form-data"):
            parsed = parse_multipart(body, ctype)
            if parsed is None:
                return None, None, url.query
            params.update(parsed[0])
            files = parsed[1]
        elif body:
            params.update({k: v[-1] for k, v in
                           parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()})
        return params, files, url.query

    def do_POST(self):
        state = self.server.state
        path = urlsplit(self.path).path
        if path == "/__reset_stats":
            self.read_params()
            state.stats.reset()
            return self.send_json({"code": 200})
        if path.startswith("/openlineage/") or path.startswith("/__openlineage"):
            return self.openlineage(path)
        if path == "/__busy":
            # the next N API requests (token requests aside) fail: "code"
            # answers the in-body busy error, "http" HTTP 503, "reset" drops
            # the connection
            params, _, _ = self.read_params()
            with state.lock:
                state.busy = int((params or {}).get("n", "1"))
                state.busy_kind = (params or {}).get("kind", "code")
            return self.send_json({"code": 200})
        self.note_api_connection()
        endpoint = self.endpoint(path)
        params, files, query = self.read_params()
        with state.lock:
            state.last_request = {"path": path, "user_agent": self.headers.get("User-Agent")}
        if params is not None and params.get("userId", "").startswith("echo|"):
            return self.echo_page(endpoint, params)
        routes = {
            "/user/generateToken": self.generate_token,
            "/sqlflow/job/submitUserJob": self.submit_job,
            "/sqlflow/job/displayUserJobSummary": self.job_summary,
            "/sqlflow/job/displayUserJobsSummary": self.jobs_summary,
            "/sqlflow/job/deleteUserJob": self.delete_job,
            "/sqlflow/job/exportLineageAsJson": self.export_json,
            "/sqlflow/job/exportFullLineageAsCsv": self.export_csv,
            "/sqlflow/job/exportLineageAsGraphml": self.export_graphml,
            "/sqlflow/generation/sqlflow": self.generation,
        }
        handler = routes.get(endpoint)
        if handler is None:
            return self.send_body(404, b"<html><body><h1>404 Not Found</h1></body></html>",
                                  "text/html")
        if params is None:
            return self.send_json({"code": 400, "error": "parameters must be form fields"}, 400)
        state.stats.count(endpoint.rsplit("/", 1)[-1])
        if "/export" in endpoint:
            state.last_export = {k: v for k, v in params.items() if k not in ("userId", "token")}
        self.params, self.files, self.query = params, files, query
        if endpoint != "/user/generateToken":
            with state.lock:
                busy = state.busy > 0
                if busy:
                    state.busy -= 1
            if busy:
                if state.busy_kind == "http":
                    return self.send_body(503, b"<html><body>503 Service Unavailable</body></html>",
                                          "text/html")
                if state.busy_kind == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                return self.envelope_error(500, "Sorry, the service is busy. Please try again later.")
            user = params.get("userId", "")
            if not state.check_token(user, params.get("token", "")):
                if user in HTTP_AUTH_USERS:
                    return self.send_body(401, b"<html><body>401 Unauthorized</body></html>", "text/html")
                return self.envelope_error(401, INVALID_USER)
            self.user = user
        handler()

    # --- OpenLineage receiver ------------------------------------------------------------
    # POST /openlineage/<tenant>/api/v1/lineage takes one RunEvent (JSON) and
    # records it per tenant; tenants named "auth-..." want "Authorization:
    # Bearer OPENLINEAGE_KEY" (else 401); tenants named "echo-..." answer 401
    # with the Authorization header and a piece of the key in the body.  POST /__openlineage_fail?tenant=
    # &after=N&status=S makes the tenant fail every request after N more
    # accepted (&delay=D: answer after D seconds; without after, no failure); POST /__openlineage_reset?tenant= forgets; GET
    # /__openlineage?tenant= answers {"events": [...], "auth": [...]}.
    def openlineage(self, path):
        state = self.server.state
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if path == "/__openlineage" and self.command == "GET":
            with state.lock:
                t = state.openlineage.get(query.get("tenant", ""), OpenLineageTenant())
                return self.send_json({"events": t.events, "auth": t.auth})
        if path == "/__openlineage_reset":
            with state.lock:
                state.openlineage.pop(query.get("tenant", ""), None)
            return self.send_json({"code": 200})
        if path == "/__openlineage_fail":
            with state.lock:
                t = state.openlineage.setdefault(query.get("tenant", ""), OpenLineageTenant())
                t.fail_after = len(t.events) + int(query.get("after", "0"))
                t.fail_status = int(query.get("status", "500"))
                t.delay = float(query.get("delay", "0"))
                if "after" not in query:
                    t.fail_after = None
            return self.send_json({"code": 200})
        parts = path.split("/")
        if len(parts) != 6 or parts[3:] != ["api", "v1", "lineage"] or self.command != "POST":
            return self.send_body(404, b'{"error":"not found"}')
        tenant = parts[2]
        with state.lock:
            delay = state.openlineage.setdefault(tenant, OpenLineageTenant()).delay
        if delay:
            time.sleep(delay)
        with state.lock:
            t = state.openlineage.setdefault(tenant, OpenLineageTenant())
            auth = self.headers.get("Authorization")
            t.auth.append(auth)
            if tenant.startswith("auth-") and auth != "Bearer " + OPENLINEAGE_KEY:
                return self.send_body(401, b'{"error":"unauthorized"}')
            if tenant.startswith("echo-"):
                # a careless receiver: its error page repeats the key, whole
                # and a piece of it from the middle
                key = (auth or "").removeprefix("Bearer ")
                return self.send_body(401, json.dumps({"error": "unauthorized", "got": auth,
                                                       "piece": key[3:14]}).encode())
            if t.fail_after is not None and len(t.events) >= t.fail_after:
                return self.send_body(t.fail_status, ("{\"error\":\"failing on request, status %d\"}"
                                                      % t.fail_status).encode())
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self.send_body(415, b'{"error":"want application/json"}')
            try:
                event = json.loads(body)
            except ValueError:
                return self.send_body(400, b'{"error":"not JSON"}')
            t.events.append(event)
        # Marquez answers 201 with an empty body
        return self.send_body(201, b"")

    # --- endpoints ------------------------------------------------------------------------
    def generate_token(self):
        user = self.params.get("userId", "")
        secret = self.params.get("secretKey", "")
        if CLOUD_USERS.get(user) is None or not secrets.compare_digest(CLOUD_USERS[user], secret):
            return self.send_json({"code": "401", "error": INVALID_USER})
        self.send_json({"code": "200", "token": self.server.state.issue_token(user)})

    def submit_job(self):
        name = self.params.get("jobName", "")
        vendor = self.params.get("dbvendor", "")
        files = self.files.get("sqlfiles", [])
        if not name or not vendor or not files:
            return self.envelope_error(400, "jobName, dbvendor and at least one sqlfiles part are required")
        if vendor not in DBVENDORS:
            return self.envelope_error(400, f"unknown dbvendor: {vendor}")
        job = self.server.state.submit(self.user, name, vendor, files)
        summary = job.summary()
        self.send_json({"code": 200, "data": {k: summary[k] for k in (
            "jobId", "jobName", "userId", "dbVendor", "dataSource", "fileNames", "createTime", "status")}})

    def job_or_error(self, allow_fault=True):
        job_id = self.params.get("jobId", "")
        if allow_fault and job_id.startswith("fault-"):
            return None
        job = self.server.state.find(job_id, self.user)
        if job is None:
            self.generic_job_error()
        return job

    def generic_job_error(self):
        job_id = self.params.get("jobId", "")
        self.envelope_error(500, GENERIC_JOB_ERRORS[zlib.crc32(job_id.encode()) % len(GENERIC_JOB_ERRORS)])

    def job_summary(self):
        if self.params.get("jobId", "").startswith("fault-"):
            return self.fault("json")
        job = self.job_or_error()
        if job is not None:
            self.send_json({"code": 200, "data": job.summary()})

    def jobs_summary(self):
        if self.user in BROKEN_LIST_USERS:
            return self.send_body(200, b'{"code":200,"data":{"total":', "application/json")
        state = self.server.state
        jobs = [state.jobs[j] for j in state.order if j in state.jobs and state.visible(state.jobs[j], self.user)]
        details = [j.summary() for j in jobs]
        count = lambda s: sum(1 for d in details if d["status"] == s)
        self.send_json({"code": 200, "data": {
            "total": len(details), "success": count("success"),
            "partialSuccess": count("partial_success"), "fail": count("fail"),
            "jobIds": [d["jobId"] for d in details], "jobDetails": details}})

    def delete_job(self):
        job = self.job_or_error(allow_fault=False)
        if job is None:
            return
        summary = job.summary()
        self.server.state.delete(job.job_id)
        summary["status"] = "delete"
        self.send_json({"code": 200, "data": summary})

    def generation(self):
        vendor = self.params.get("dbvendor", "")
        sql = self.params.get("sqltext", "")
        if not sql and self.files.get("sqlfile"):
            sql = self.files["sqlfile"][0][1].decode("utf-8", "replace")
        if not sql.strip():
            return self.envelope_error(400, "sqltext is empty")
        if vendor not in DBVENDORS:
            return self.envelope_error(400, f"unknown dbvendor: {vendor}")
        rels, dbobjs = naive_lineage(sql)
        self.send_json({"code": 200, "data": {"dbvendor": vendor, "dbobjs": dbobjs,
                                              "relationships": rels},
                        "sessionId": secrets.token_hex(16)})

    def export_job(self, kind):
        """The job an export is for, or None after answering with an error."""
        job_id = self.params.get("jobId", "")
        state = self.server.state
        if job_id.startswith("fault-"):
            self.fault(kind)
            return None
        if job_id.startswith("csvfile-"):
            if kind == "csv":
                self.csv_file(job_id[len("csvfile-"):])
            else:
                self.send_json(export_envelope(job_id, "dbvoracle", ([], [])))
            return None
        if job_id.startswith("gen-"):
            self.generated(job_id, kind)
            return None
        if job_id.startswith("inline-"):
            # tests: the JSON export is the document in the id itself (the
            # hex of its bytes: base64 of '{"' would look like a JWT), as it is
            try:
                body = bytes.fromhex(job_id[len("inline-"):])
            except ValueError:
                return self.envelope_error(400, "bad inline document")
            if kind != "json":
                return self.envelope_error(404, "inline documents are JSON only")
            return self.send_body(200, body, "application/json; charset=utf-8")
        job = state.latest(self.user) if job_id == "" else state.find(job_id, self.user)
        if job is None:
            self.generic_job_error()
            return None
        status = job.current_status()
        if status == "create":
            self.generic_job_error()
            return None
        if status == "fail":
            self.envelope_error(500, job.error_message or "job failed")
            return None
        return job

    def table_to_table(self):
        return self.params.get("tableToTable", "false").lower() == "true"

    def export_json(self):
        job = self.export_job("json")
        if job is None:
            return
        doc = filtered(job.doc, self.params)
        if self.table_to_table() or doc is not job.doc:
            doc = copy.deepcopy(doc)
            data = doc.get("data") if isinstance(doc.get("data"), dict) else doc
            sqlflow = data.get("sqlflow") if isinstance(data.get("sqlflow"), dict) else data
            for key in ("relationships", "relationship", "relations"):
                if key in sqlflow and self.table_to_table():
                    rels = sqlflow[key] if isinstance(sqlflow[key], list) else [sqlflow[key]]
                    sqlflow[key] = table_level(rels)
            return self.send_body(200, json.dumps(doc).encode())
        body = job.raw if job.raw is not None else json.dumps(job.doc).encode()
        self.send_body(200, body)

    def delimiter(self):
        d = self.params.get("delimiter", ",")
        if len(d) != 1:
            self.envelope_error(400, "delimiter must be one character")
            return None
        return d

    def export_csv(self):
        d = self.delimiter()
        if d is None:
            return
        job = self.export_job("csv")
        if job is None:
            return
        self.send_body(200, to_csv(filtered(job.doc, self.params), self.table_to_table(), d),
                       "text/csv; charset=utf-8")

    def export_graphml(self):
        job = self.export_job("graphml")
        if job is None:
            return
        self.send_body(200, to_graphml(filtered(job.doc, self.params), self.table_to_table()),
                       "application/xml")

    def csv_file(self, name):
        fixtures = self.server.state.fixtures
        if name.startswith("bad-"):
            path = os.path.join(fixtures, "csv", "bad", name[4:] + ".csv")
        else:
            path = os.path.join(fixtures, "csv", name + ".csv")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name) or not os.path.isfile(path):
            return self.envelope_error(404, f"no CSV file {name}")
        with open(path, "rb") as f:
            self.send_body(200, f.read(), "text/csv; charset=utf-8")

    def generated(self, job_id, kind):
        state = self.server.state
        m = re.fullmatch(r"gen-(csv|json)-(\d+)", job_id)
        lineage = re.fullmatch(r"gen-lineage-(\d+)", job_id)
        if lineage and kind in ("json", "csv"):
            body = self.generated_lineage(job_id, int(lineage.group(1)), kind)
        elif not m or m.group(1) != kind:
            return self.envelope_error(404, f"job {job_id} not found")
        else:
            with state.lock:
                body = state.generated.get(job_id)
            if body is None:
                n = int(m.group(2))
                body = gen_csv(n) if kind == "csv" else gen_json(n)
                with state.lock:
                    state.generated[job_id] = body
        ctype = "text/csv; charset=utf-8" if kind == "csv" else "application/json; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        view = memoryview(body)
        for i in range(0, len(body), 256 * 1024):
            self.wfile.write(view[i:i + 256 * 1024])

    def generated_lineage(self, job_id, size, kind):
        """The JSON or CSV body of the job gen-lineage-<size>: both are built
        in one pass (the same relationships) and cached under (job id, kind).
        Only the latest such job stays cached: the benchmarks go from one
        size to the next, and the 200 MB one alone holds ~300 MB."""
        state = self.server.state
        with state.lock:
            body = state.generated.get((job_id, kind))
        if body is None:
            with state.lock:        # let go of the previous job before building
                for key in [k for k in state.generated
                            if isinstance(k, tuple) and k[0].startswith("gen-lineage-")]:
                    del state.generated[key]
            json_body, csv_body, _, _, _ = gen_lineage(size, job_id)
            with state.lock:
                state.generated[(job_id, "json")] = json_body
                state.generated[(job_id, "csv")] = csv_body
            body = json_body if kind == "json" else csv_body
        return body

    # --- misbehaviour ---------------------------------------------------------------------
    def echo_page(self, endpoint, params):
        """An error page quoting the caller's credential (see ECHO_KINDS)."""
        m = re.fullmatch(r"echo\|(\w+)\|(\d+)", params.get("userId", ""))
        if not m or m.group(1) not in ECHO_KINDS:
            return self.send_body(400, b"bad echo user")
        kind, offset = m.group(1), int(m.group(2))
        secret = params.get("secretKey" if endpoint == "/user/generateToken" else "token", "")
        filler = ECHO_FILLER.get(kind, ECHO_FILLER["json"])

        def fill(n, start=""):
            text = start
            while len(text) < n:
                text += filler
            return text[:n]

        if kind in ("html", "text"):
            head = ECHO_HTML_HEAD if kind == "html" else "Internal Server Error\n\n"
            body = fill(offset, head) + secret + fill(ECHO_TAIL)
            if kind == "html":
                body += "</p></body></html>\n"
            return self.send_body(500, body.encode(), "text/html" if kind == "html" else "text/plain")
        if kind == "bare":
            head, mid = '{"code": 200, "note": "', '", "data": '
            doc = head + fill(max(0, offset - len(head) - len(mid))) + mid + secret + ', "more": 1}'
            return self.send_body(200, doc.encode())
        head = '{"code": 500, "error": "'
        doc = head + fill(max(0, offset - len(head))) + secret + fill(ECHO_TAIL) + '"}'
        return self.send_body(500 if kind == "json" else 200, doc.encode())

    def endless_page(self):
        """HTTP 500 whose page never ends (until the client hangs up)."""
        self.send_response(500)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b"<html><body><h1>Internal Server Error</h1>\n")
        piece = b"<p>The error goes on and on.</p>\n" * 32
        end = time.time() + 300
        while time.time() < end:
            try:
                self.wfile.write(piece)
                self.wfile.flush()
            except OSError:
                break
            time.sleep(0.01)
        self.close_connection = True

    def demo_body(self, kind):
        demo = self.server.state.jobs.get(DEMO_JOB)
        doc = demo.doc if demo else export_envelope(DEMO_JOB, "dbvoracle", ([], []))
        if kind == "csv":
            return to_csv(doc, False, ","), "text/csv; charset=utf-8"
        if kind == "graphml":
            return to_graphml(doc, False), "application/xml"
        return (demo.raw if demo else json.dumps(doc).encode()), "application/json; charset=utf-8"

    def fault(self, kind):
        name = self.params.get("jobId", "")[len("fault-"):]
        if name.startswith("emptycsv-"):
            if kind == "csv":
                return self.send_body(200, (",".join(CSV_HEADER) + "\n").encode(), "text/csv; charset=utf-8")
            name = name[len("emptycsv-"):]
        codes = {"code401": (401, INVALID_USER), "code403": (403, "Your account or session has expired."),
                 "code404": (404, "job not found"),
                 "code409": (409, "job is not finished yet"),
                 "code410": (410, "This job was created by an older version of SQLFlow, please rerun it."),
                 "code429": (429, "quota exceeded"),
                 "code500": (500, "Sorry, the service is busy. Please try again later.")}
        if name in codes:
            return self.envelope_error(*codes[name])
        if name == "http500":
            return self.send_body(500, b"<html><head><title>500 Internal Server Error</title></head>"
                                       b"<body><h1>Internal Server Error</h1><p>java.lang.NullPointerException"
                                       b"</p></body></html>", "text/html")
        if name == "http404":
            return self.send_body(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")
        if name == "http429":
            return self.send_body(429, b"<html><body>Too Many Requests</body></html>", "text/html",
                                  {"Retry-After": "1"})
        if name == "http400":
            return self.send_body(400, b'{"code":400,"error":"Bad Request"}')
        if name == "code203":
            if kind == "json":
                doc = export_envelope("fault-code203", "dbvoracle", naive_lineage(
                    "create view v as select a from t"), code=203,
                    error="line 3: syntax error near 'FROM'")
                return self.send_json(doc)
            body, ctype = self.demo_body(kind)
            return self.send_body(200, body, ctype)
        if name == "notjson":
            return self.send_body(200, b"<html>not json</html>")
        if name == "truncated":
            body, _ = self.demo_body("json")
            return self.send_body(200, body[:len(body) // 2])
        if name == "emptybody":
            return self.send_body(200, b"", "text/csv" if kind == "csv" else "application/json")
        if name == "notxml":
            return self.send_body(200, b"<graphml><node>", "application/xml")
        if name == "csvwrongcols":
            return self.send_body(200, (",".join(CSV_HEADER) + "\n" + ",".join("abcdefghij") + "\n" +
                                        ",".join("abcdefghijk") + "\n").encode(), "text/csv")
        if name == "csvunterminated":
            return self.send_body(200, (",".join(CSV_HEADER) + "\n" + ",".join("abcdefghi") +
                                        ',"never closed\n').encode(), "text/csv")
        if name in ("badutf8", "nul"):
            bad = b"\xc3\x28" if name == "badutf8" else b"\x00"
            if kind == "csv":
                body = (",".join(CSV_HEADER) + "\n").encode() + b"a,b,c," + bad + b",e,f,g,h,fdd,select\n"
                return self.send_body(200, body, "text/csv")
            if kind == "graphml":
                return self.send_body(200, b"<graphml><node id=\"" + bad + b"\"/></graphml>", "application/xml")
            return self.send_body(200, b'{"code":200,"data":{"mode":"global","x":"' + bad + b'"}}')
        m = re.fullmatch(r"longrecord-(\d+)", name)
        if m and kind == "csv":
            # one record with a field of that many bytes, between short ones
            row = "DEFAULT,S,T,C,DEFAULT,S,V,C,fdd,select"
            body = "\n".join([",".join(CSV_HEADER), row,
                              "DEFAULT,S,T," + "x" * int(m.group(1)) + ",DEFAULT,S,V,C,fdd,select",
                              row]) + "\n"
            return self.send_body(200, body.encode(), "text/csv")
        if name == "echotoken":
            # a long error text that quotes the caller's token near the cut
            return self.envelope_error(500, "A" * 290 + " token=" + self.params.get("token", ""))
        if name == "bom":
            body, ctype = self.demo_body(kind)
            return self.send_body(200, b"\xef\xbb\xbf" + body, ctype)
        if name == "badheader" and kind == "csv":
            return self.send_body(200, (",".join(CSV_HEADER)).encode() + b",note\xff\n" +
                                  b"a,b,c,d,e,f,g,h,fdd,select,x\n", "text/csv")
        if name == "hang":
            return self.wait_for_close()
        if name in ("stall", "reset"):
            body, ctype = self.demo_body(kind)
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            if name == "stall":
                return self.wait_for_close()
            time.sleep(0.05)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        if name == "drip":
            body, ctype = self.demo_body(kind)
            body = body[:2048] if kind != "json" else body
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for i in range(len(body)):
                try:
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                except OSError:
                    break
                time.sleep(1)
            self.close_connection = True
            return
        m = re.fullmatch(r"slow-([\d.]+)", name)
        if m:
            time.sleep(min(float(m.group(1)), 300))
            body, ctype = self.demo_body(kind)
            return self.send_body(200, body, ctype)
        m = re.fullmatch(r"(big|bigchunked)-(\d+)", name)
        if m:
            size = int(m.group(2))
            if kind == "csv":
                body, ctype = gen_csv(max(1, size // 150)), "text/csv"
            elif kind == "graphml":
                body = b"<graphml>" + b"<node/>" * (size // 7) + b"</graphml>"
                ctype = "application/xml"
            else:
                body, ctype = gen_json(size), "application/json"
            if m.group(1) == "big":
                return self.send_body(200, body, ctype)
            return self.send_chunked(body, ctype)
        if name == "endless500":
            return self.endless_page()
        m = re.fullmatch(r"big500-(\d+)", name)
        if m:
            # an error page of that many bytes, with its Content-Length
            size = int(m.group(1))
            body = (b"<html><body><h1>Internal Server Error</h1>" + b"<p>padding</p>" * (size // 14 + 1))[:size]
            return self.send_body(500, body, "text/html")
        if name == "redirect-file":
            return self.send_body(302, b"", headers={"Location": "file:///etc/passwd"})
        if name == "redirect-port":
            return self.send_body(307, b"", headers={"Location": f"http://127.0.0.1:1{self.path}"})
        if name == "redirect-loop":
            return self.send_body(302, b"", headers={"Location": self.path})
        if name == "redirect-same":
            if "redirected=1" in self.query:
                body, ctype = self.demo_body(kind)
                return self.send_body(200, body, ctype)
            path = urlsplit(self.path).path
            return self.send_body(307, b"", headers={"Location": path + "?redirected=1"})
        self.envelope_error(404, f"job fault-{name} not found")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # clients hanging up on misbehaving answers are expected here
        pass


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--fixtures", default=os.path.join(here, "fixtures"))
    ap.add_argument("--samples")
    ap.add_argument("--job-delay", type=float, default=1.0)
    ap.add_argument("--token-ttl", type=int, default=86400)
    ap.add_argument("--lifetime", type=float, default=3600)
    ap.add_argument("--parent-pid", type=int)
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--tls-cert", help="serve https with this certificate (PEM)")
    ap.add_argument("--tls-key", help="the certificate's private key (PEM)")
    args = ap.parse_args()

    server = Server(("127.0.0.1", args.port), Handler)
    if args.tls_cert:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.state = State(args)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)

    def watchdog():
        end = time.time() + args.lifetime
        while time.time() < end:
            if args.parent_pid:
                try:
                    os.kill(args.parent_pid, 0)
                except OSError:
                    break
            time.sleep(1)
        server.shutdown()

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    server.server_close()


if __name__ == "__main__":
    main()
