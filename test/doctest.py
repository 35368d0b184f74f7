#!/usr/bin/env python3
"""test/doctest.py: the documentation's SQL examples run, its links resolve.

For README.md and every docs/*.md (one test each):

  - every fenced ```sql block is cut into statements (strings, quoted
    names, dollar quotes and comments respected; a line starting with a
    backslash is a psql meta-command) and the statements run top to bottom
    in one psql session on a fresh database, as a reader follows them;
  - the set-up a reader already did is there before the first statement:
    the extension, the server "sqlflow" on the loopback SQLFlow server
    (SQLFLOW_TEST_URL, also the psql variable :url) and a user mapping for
    the current user.  A document's own CREATE EXTENSION sqlflow_export,
    CREATE SERVER sqlflow ... and CREATE USER MAPPING FOR CURRENT_USER
    SERVER sqlflow still run, in a transaction that first drops the existing
    object and is rolled back after them: they must succeed, and leave the
    set-up as it was (after a \connect to another database nothing is there
    and nothing is rolled back; databases the examples create are dropped
    after them);
  - a statement carrying a comment "-- fails: ..." (in it, or after its
    semicolon on the same line, or on the lines just before it) must fail;
    when the comment starts with a SQLSTATE ("-- fails: 22023 ...") it must
    fail with that one.  Every other statement must succeed;
  - a block right after the line "<!-- doctest: cron database -->" runs in
    the pg_cron database (SQLFLOW_DOCTEST_CRON_DB); without it (no pg_cron
    for this major) the block is left out and said so;
  - every relative link ([text](path), [text](path#anchor), [text](#anchor),
    images too) names a file that exists, and an anchor one of its headings
    (GitHub's rule for heading anchors).

README.md is at most 250 lines.  docs/reference.md is also checked against the running extension: every
function and aggregate of the extension (pg_proc, through pg_depend on the
extension) is in one of its tables whose first column is "function", and
every sqlflow_...( it names is one of them; the options of its tables whose
first column is "option" are the ones the wrapper's validator accepts (as it
lists them in its hint); the settings of its tables whose first column is
"setting" are the sqlflow.* settings the library defines.

A failure names the file, the line of the statement, the statement and the
error.  Before the files, a self-check runs a document with known mistakes
(an error, a "fails" that succeeds, a wrong SQLSTATE, bad links) and must see
each reported, and nothing else.  The last line is "N passed, N failed, N
skipped".

Usage: test/doctest.py [FILE...]   (default: README.md and docs/*.md)
Needs PGHOST/PGPORT/PGUSER (as test/run exports them) and SQLFLOW_TEST_URL.
"""

import glob
import os
import re
import subprocess
import sys
import unicodedata

top = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
URL = os.environ.get("SQLFLOW_TEST_URL", "")
CRON_DB = os.environ.get("SQLFLOW_DOCTEST_CRON_DB", "")
TIMEOUT = int(os.environ.get("SQLFLOW_DOCTEST_TIMEOUT", "600"))
# written on another branch at the same time; a link to it is reported, not
# failed, until it is here
PENDING = set()
# the README is what a user needs in five minutes; the rest is in docs/
README_MAX_LINES = 250

SETUP = [
    "CREATE EXTENSION sqlflow_export;",
    "CREATE SERVER sqlflow FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url :'url');",
    "CREATE USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (user_id 'gudu|0123456789');",
]


# --- markdown ------------------------------------------------------------------------

def blocks(text):
    """The fenced sql blocks: (first line number of the body, body, marker)."""
    out = []
    lines = text.split("\n")
    i = 0
    fence = None
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(\s*)(```+|~~~+)\s*([\w+-]*)", line)
        if m and fence is None:
            fence = m.group(2)
            lang = m.group(3)
            start = i + 1
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(fence):
                j += 1
            if lang == "sql":
                k = i - 1
                while k >= 0 and not lines[k].strip():
                    k -= 1
                marker = None
                if k >= 0:
                    mm = re.match(r"^\s*<!--\s*doctest:\s*(.*?)\s*-->\s*$", lines[k])
                    if mm:
                        marker = mm.group(1)
                out.append((start + 1, "\n".join(lines[start:j]), marker))
            fence = None
            i = j + 1
            continue
        i += 1
    return out


def slug(heading):
    """GitHub's anchor for a heading."""
    h = re.sub(r"`|\*\*|\*|_(?=\W)|(?<=\W)_", "", heading.strip())
    h = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", h)
    h = h.lower()
    h = "".join(c for c in h if c in " -_" or unicodedata.category(c)[0] in "LN")
    return h.replace(" ", "-")


def anchors(text):
    seen = {}
    out = set()
    in_fence = False
    for line in text.split("\n"):
        if re.match(r"^\s*(```|~~~)", line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            s = slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else f"{s}-{n}")
    return out


def links(text):
    """Relative links outside code: (line number, target)."""
    out = []
    in_fence = False
    for n, line in enumerate(text.split("\n"), 1):
        if re.match(r"^\s*(```|~~~)", line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        line = re.sub(r"`[^`]*`", "", line)
        for m in re.finditer(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", line):
            target = m.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue
            out.append((n, target))
    return out


def check_links(path, text, problems, notes):
    here = os.path.dirname(path)
    for n, target in links(text):
        file_part, _, anchor = target.partition("#")
        dest = os.path.normpath(os.path.join(here, file_part)) if file_part else path
        rel = os.path.relpath(dest, top)
        if not os.path.exists(dest):
            if rel in PENDING:
                notes.append(f"{os.path.relpath(path, top)}:{n}: link to {target}: not here yet (written on another branch)")
            else:
                problems.append(f"{os.path.relpath(path, top)}:{n}: link to {target}: no such file")
            continue
        if anchor:
            if not dest.endswith(".md"):
                problems.append(f"{os.path.relpath(path, top)}:{n}: link to {target}: an anchor into a file that is not markdown")
                continue
            with open(dest, encoding="utf-8") as f:
                if anchor not in anchors(f.read()):
                    problems.append(f"{os.path.relpath(path, top)}:{n}: link to {target}: no heading with that anchor")


# --- SQL ---------------------------------------------------------------------------------

class Stmt:
    def __init__(self, line, text, comments, meta=False):
        self.line = line
        self.text = text
        self.comments = comments
        self.meta = meta

    def expectation(self):
        """None (must succeed), '' (must fail) or a SQLSTATE it must fail with."""
        for c in self.comments:
            m = re.match(r"^--\s*fails\b:?\s*([0-9A-Z]{5}\b)?", c)
            if m:
                return m.group(1) or ""
        return None

    def first_line(self):
        for line in self.text.split("\n"):
            s = line.strip()
            if s and not s.startswith("--"):
                return s if len(s) <= 100 else s[:97] + "..."
        return "?"


def statements(body, first_line):
    """Cut a block into statements, keeping each one's line and comments."""
    out = []
    i, n = 0, len(body)
    line = first_line
    cur_start = 0
    cur_line = None         # line of the statement's first token
    comments = []
    while i < n:
        c = body[i]
        # a psql meta-command: a line starting with a backslash, between statements
        if cur_line is None and c == "\\" and (i == 0 or body[i - 1] == "\n"):
            j = body.find("\n", i)
            j = n if j < 0 else j
            out.append(Stmt(line, body[i:j], comments, meta=True))
            comments = []
            i = j
            cur_start = j
            continue
        if c == "\n":
            line += 1
            i += 1
            continue
        if c.isspace():
            i += 1
            continue
        if body.startswith("--", i):
            j = body.find("\n", i)
            j = n if j < 0 else j
            comments.append(body[i:j])
            i = j
            continue
        if body.startswith("/*", i):
            depth, j = 0, i
            while j < n:
                if body.startswith("/*", j):
                    depth += 1
                    j += 2
                elif body.startswith("*/", j):
                    depth -= 1
                    j += 2
                    if depth == 0:
                        break
                else:
                    j += 1
            line += body.count("\n", i, j)
            i = j
            continue
        if cur_line is None:
            cur_line = line
        if c == "'":
            escapes = i > 0 and body[i - 1] in "eE" and (i < 2 or not (body[i - 2].isalnum() or body[i - 2] == "_"))
            j = i + 1
            while j < n:
                if escapes and body[j] == "\\":
                    j += 2
                    continue
                if body[j] == "'":
                    if j + 1 < n and body[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            line += body.count("\n", i, j)
            i = j + 1
            continue
        if c == '"':
            j = body.find('"', i + 1)
            j = n if j < 0 else j
            line += body.count("\n", i, j)
            i = j + 1
            continue
        if c == "$":
            m = re.match(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$", body[i:])
            if m and not (i > 0 and (body[i - 1].isalnum() or body[i - 1] == "_")):
                tag = m.group(0)
                j = body.find(tag, i + len(tag))
                j = n if j < 0 else j
                line += body.count("\n", i, j)
                i = j + len(tag)
                continue
        if c == ";":
            j = i + 1
            # a comment after the semicolon, on the same line, is this statement's
            k = j
            while k < n and body[k] in " \t":
                k += 1
            if body.startswith("--", k):
                e = body.find("\n", k)
                e = n if e < 0 else e
                comments.append(body[k:e])
                j = e
            out.append(Stmt(cur_line, body[cur_start:j].strip(), comments))
            comments = []
            cur_line = None
            cur_start = j
            i = j
            continue
        i += 1
    rest = body[cur_start:].strip()
    if cur_line is not None and rest:
        out.append(Stmt(cur_line, rest + ";", comments))
    return out


def wrap(stmt):
    """Set-up the reader already did: (before, after) around the statement."""
    t = re.sub(r"--[^\n]*", " ", stmt.text)
    t = " ".join(t.split())
    if re.match(r"(?i)^CREATE EXTENSION (IF NOT EXISTS )?sqlflow_export\b", t):
        return ["BEGIN;", "DROP EXTENSION sqlflow_export CASCADE;"], ["ROLLBACK;"]
    if re.match(r"(?i)^CREATE SERVER (IF NOT EXISTS )?sqlflow FOREIGN DATA WRAPPER sqlflow\b", t):
        return ["BEGIN;", "DROP SERVER IF EXISTS sqlflow CASCADE;"], ["ROLLBACK;"]
    m = re.match(r"(?i)^CREATE USER MAPPING (IF NOT EXISTS )?FOR (CURRENT_USER|CURRENT_ROLE|USER) SERVER sqlflow\b", t)
    if m:
        return ["BEGIN;", f"DROP USER MAPPING IF EXISTS FOR {m.group(2)} SERVER sqlflow;"], ["ROLLBACK;"]
    return [], []


def psql(args, script=None, db=None):
    env = dict(os.environ)
    if db:
        env["PGDATABASE"] = db
    return subprocess.run(["psql", "-X", "-q"] + args, input=script, env=env, text=True,
                          capture_output=True, timeout=TIMEOUT)


def run_sql(rel, text, problems, notes):
    """Run a file's examples in a fresh database; returns how many ran."""
    db = "doctest_" + re.sub(r"\W", "_", rel.lower().replace(".md", ""))
    r = psql(["-c", f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', "-c", f'CREATE DATABASE "{db}"'], db="postgres")
    if r.returncode != 0:
        problems.append(f"{rel}: cannot create database {db}: {r.stderr.strip()}")
        return 0
    script = ["\\set ON_ERROR_STOP 0", "\\set url '" + URL.replace("'", "''") + "'",
              "\\set VERBOSITY default", "\\o /dev/null"]
    for s in SETUP:
        script += [s, "\\if :ERROR", "\\echo @@DOCTEST setup FAIL :LAST_ERROR_SQLSTATE :LAST_ERROR_MESSAGE", "\\endif"]
    stmts = []
    created = []            # databases the examples create, dropped after them
    in_main = True          # the set-up is there (not after a \connect elsewhere)
    for line, body, marker in blocks(text):
        cron = marker is not None and marker.startswith("cron database")
        if marker is not None and not cron:
            problems.append(f"{rel}:{line - 1}: unknown doctest marker {marker!r}")
            continue
        ss = statements(body, line)
        if cron:
            if not CRON_DB:
                notes.append(f"{rel}:{line}: the block for the pg_cron database left out (no pg_cron here)")
                continue
            script.append(f"\\connect {CRON_DB}")
            script.append("\\o /dev/null")
        for s in ss:
            k = len(stmts)
            stmts.append(s)
            if s.meta:
                script.append(s.text)
                if re.match(r"^\\c(onnect)?\s", s.text):
                    in_main = False
                continue
            m = re.match(r"(?i)^CREATE DATABASE\s+(\w+)", re.sub(r"--[^\n]*", "", s.text).strip())
            if m:
                created.append(m.group(1))
            before, after = wrap(s) if in_main and not cron else ([], [])
            script += before
            script.append(s.text)
            script += ["\\set doctest_err :ERROR", "\\set doctest_state :LAST_ERROR_SQLSTATE",
                       "\\set doctest_msg :LAST_ERROR_MESSAGE"]
            script += after
            script += ["\\if :doctest_err", f"\\echo @@DOCTEST {k} FAIL :doctest_state :doctest_msg",
                       "\\else", f"\\echo @@DOCTEST {k} OK", "\\endif"]
        if cron:
            script.append(f"\\connect {db}")
            script.append("\\o /dev/null")
    try:
        r = psql([], "\n".join(script) + "\n", db=db)
    except subprocess.TimeoutExpired:
        problems.append(f"{rel}: the examples did not finish in {TIMEOUT} s")
        return 0
    seen = {}
    for out_line in r.stdout.split("\n"):
        m = re.match(r"^@@DOCTEST (\S+) (OK|FAIL)(?: (\S+) ?(.*))?$", out_line)
        if not m:
            continue
        if m.group(1) == "setup":
            problems.append(f"{rel}: set-up failed: {m.group(3)} {m.group(4)}")
            continue
        seen[int(m.group(1))] = (m.group(2), m.group(3), m.group(4))
    ran = 0
    for k, s in enumerate(stmts):
        if s.meta:
            continue
        ran += 1
        where = f"{rel}:{s.line}: {s.first_line()}"
        if k not in seen:
            problems.append(f"{where}: no result (psql stopped? {r.stderr.strip()[-300:]})")
            continue
        outcome, state, msg = seen[k]
        want = s.expectation()
        if want is None and outcome == "FAIL":
            problems.append(f"{where}: ERROR {state}: {msg}")
        elif want is not None and outcome == "OK":
            problems.append(f"{where}: succeeded, but the document says it fails")
        elif want and state != want:
            problems.append(f"{where}: failed with {state} ({msg}), the document says {want}")
    if r.returncode != 0:
        problems.append(f"{rel}: psql exited with {r.returncode}: {r.stderr.strip()[-300:]}")
    for d in [db] + created:
        psql(["-c", f'DROP DATABASE IF EXISTS "{d}" WITH (FORCE)'], db="postgres")
    return ran


# --- reference.md against the catalog ------------------------------------------------------

def tables(text, first):
    """Backticked names in the first column of tables whose first header is `first`."""
    names = set()
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        head = [c.strip() for c in lines[i].strip().strip("|").split("|")]
        if lines[i].lstrip().startswith("|") and head and head[0] == first and i + 1 < len(lines) \
                and re.match(r"^\s*\|[\s|:-]+\|?\s*$", lines[i + 1]):
            i += 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                cell = lines[i].strip().strip("|").split("|")[0]
                for m in re.finditer(r"`([^`]+)`", cell):
                    names.add(re.match(r"[\w.]+", m.group(1)).group(0))
                i += 1
            continue
        i += 1
    return names


def check_reference(text, problems):
    r = psql(["-At", "-c", """
        SELECT DISTINCT 'f ' || p.proname FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
           AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
          JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'sqlflow_export'""",
              "-c", "LOAD 'sqlflow_export'",
              "-c", "SELECT 's ' || name FROM pg_catalog.pg_settings WHERE name LIKE 'sqlflow.%'"],
             db="doctest_catalog")
    if r.returncode != 0:
        problems.append(f"reference: cannot read the catalog: {r.stderr.strip()}")
        return
    funcs = {l[2:] for l in r.stdout.split("\n") if l.startswith("f ")}
    settings = {l[2:] for l in r.stdout.split("\n") if l.startswith("s ")}
    options = set()
    for probe in ("CREATE SERVER doctest_probe FOREIGN DATA WRAPPER sqlflow OPTIONS (doctest_no_such_option 'x')",
                  "ALTER USER MAPPING FOR CURRENT_USER SERVER sqlflow OPTIONS (ADD doctest_no_such_option 'x')"):
        p = psql(["-c", probe], db="doctest_catalog")
        m = re.search(r"HINT:\s+Valid options here are: (.*)\.", p.stderr)
        if not m:
            problems.append(f"reference: the validator did not list its options for: {probe}: {p.stderr.strip()}")
            continue
        options |= {o.strip() for o in m.group(1).split(",")}
    if not funcs or not settings:
        problems.append(f"reference: no functions ({len(funcs)}) or settings ({len(settings)}) found in the catalog")
    documented = tables(text, "function")
    for f in sorted(funcs - documented):
        problems.append(f"docs/reference.md: function {f} of the extension is in no table whose first column is \"function\"")
    named = documented | set(re.findall(r"\b(sqlflow_\w+)\s*\(", text))
    for f in sorted(named - funcs):
        problems.append(f"docs/reference.md: names {f}(...), which is no function of the extension")
    doc_opts = tables(text, "option")
    for o in sorted(options - doc_opts):
        problems.append(f"docs/reference.md: wrapper option {o} is in no table whose first column is \"option\"")
    for o in sorted(doc_opts - options):
        problems.append(f"docs/reference.md: documents option {o}, which the validator does not accept")
    doc_set = tables(text, "setting")
    for s in sorted(settings - doc_set):
        problems.append(f"docs/reference.md: setting {s} is in no table whose first column is \"setting\"")
    for s in sorted(doc_set - settings):
        problems.append(f"docs/reference.md: documents setting {s}, which the library does not define")
    named_settings = set(re.findall(r"(?<![\w/.])sqlflow\.[a-z_]+\b(?![.\w])", text))
    for s in sorted(named_settings - settings):
        problems.append(f"docs/reference.md: names setting {s}, which the library does not define")


SELF_CHECK = """# Self-check

A [good link](#self-check) and [a bad one](#no-such-heading), [a missing file](no-such-file.md).

```sql
SELECT 1 / 0;                 -- fails: 22012 division by zero
SELECT 1;                     -- fails: this succeeds, which must be reported
SELECT 1 / 0;                 -- fails: 22023 the wrong SQLSTATE, which must be reported
SELECT sqlflow_export('c359aef4bd9641d697732422debd8055', 'xml');
SELECT count(*) FROM sqlflow_lineage('c359aef4bd9641d697732422debd8055');
CREATE SERVER sqlflow FOREIGN DATA WRAPPER sqlflow OPTIONS (api_url 'ftp://example.com/');
```
"""
# what the self-check must report, one pattern each, and nothing else
SELF_CHECK_WANT = [r":3: link to #no-such-heading: no heading", r":3: link to no-such-file.md: no such file",
                   r":7: SELECT 1;.*succeeded, but the document says it fails",
                   r":8: SELECT 1 / 0;.*failed with 22012 .*the document says 22023",
                   r":9: SELECT sqlflow_export.*ERROR 22023",
                   r":11: CREATE SERVER sqlflow .*ERROR HV024"]


def self_check():
    """The doc-test can fail: a document with known mistakes must show each."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "self_check.md")
        with open(path, "w", encoding="utf-8") as f:
            f.write(SELF_CHECK)
        problems, notes = [], []
        check_links(path, SELF_CHECK, problems, notes)
        ran = run_sql(path, SELF_CHECK, problems, notes)
    missing = [w for w in SELF_CHECK_WANT if not any(re.search(w, p) for p in problems)]
    extra = [p for p in problems if not any(re.search(w, p) for w in SELF_CHECK_WANT)]
    if ran != 6 or missing or extra:
        print("FAILED - the doc-test's self-check (a document with known mistakes)")
        for w in missing:
            print(f"  not reported: {w}")
        for p in extra:
            print(f"  reported, not expected: {p}")
        if ran != 6:
            print(f"  ran {ran} statements, not 6")
        return False
    print(f"ok - the doc-test's self-check: the {len(SELF_CHECK_WANT)} known mistakes reported, nothing else")
    return True


def main():
    files = sys.argv[1:] or (["README.md"] + sorted(os.path.relpath(p, top) for p in glob.glob(os.path.join(top, "docs", "*.md"))))
    if not URL:
        print("test/doctest.py: SQLFLOW_TEST_URL is not set (run me from test/run)", file=sys.stderr)
        return 2
    # a database with the set-up, for the catalog checks
    psql(["-c", 'DROP DATABASE IF EXISTS doctest_catalog WITH (FORCE)', "-c", "CREATE DATABASE doctest_catalog"], db="postgres")
    psql(["-v", "url=" + URL], "\n".join(SETUP) + "\n", db="doctest_catalog")
    passed = failed = 0
    if not sys.argv[1:]:
        if self_check():
            passed += 1
        else:
            failed += 1
    for rel in files:
        path = os.path.join(top, rel)
        problems, notes = [], []
        with open(path, encoding="utf-8") as f:
            text = f.read()
        check_links(path, text, problems, notes)
        if rel == "README.md" and text.count("\n") > README_MAX_LINES:
            problems.append(f"README.md: {text.count(chr(10))} lines, more than {README_MAX_LINES}: "
                            "what is not needed in five minutes goes into docs/")
        ran = run_sql(rel, text, problems, notes)
        if rel == "docs/reference.md":
            check_reference(text, problems)
        for n in notes:
            print(f"  note: {n}")
        if problems:
            failed += 1
            print(f"FAILED - {rel}")
            for p in problems:
                print(f"  {p}")
        else:
            passed += 1
            print(f"ok - {rel}: {ran} statements as documented, links resolve")
    psql(["-c", 'DROP DATABASE IF EXISTS doctest_catalog WITH (FORCE)'], db="postgres")
    print(f"\n{passed} passed, {failed} failed, 0 skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
