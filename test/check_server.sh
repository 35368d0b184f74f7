#!/usr/bin/env bash
# Self-check of the loopback SQLFlow server: the protocol details that the
# pg_regress suites do not reach through the extension.  Usage: check_server.sh PORT
set -u
port=$1
base=http://127.0.0.1:$port
fail=0
expect() {  # name, expected, actual
  if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "not ok - $1: expected [$2], got [$3]"; fail=1; fi
}
u='gudu|0123456789'
job=c359aef4bd9641d697732422debd8055
csv() { curl -s "$@" | head -n 1; }
H=source_db,source_schema,source_table,source_column,target_db,target_schema,target_table,target_column,relation_type,effect_type

expect "multipart, /gspLive_backend" "$H" "$(csv -F "userId=$u" -F token=token -F jobId=$job $base/gspLive_backend/sqlflow/job/exportFullLineageAsCsv)"
expect "urlencoded, /api/gspLive_backend" "$H" "$(csv --data-urlencode "userId=$u" -d token=token -d jobId=$job $base/api/gspLive_backend/sqlflow/job/exportFullLineageAsCsv)"
expect "query string" "$H" "$(csv -X POST "$base/gspLive_backend/sqlflow/job/exportFullLineageAsCsv?userId=gudu%7C0123456789&token=token&jobId=$job")"
expect "JSON request body is HTTP 400" 400 "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"userId":"x"}' $base/gspLive_backend/sqlflow/job/exportLineageAsJson)"
expect "GET is HTTP 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' $base/gspLive_backend/sqlflow/job/exportLineageAsJson)"
expect "unknown path is HTTP 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' -X POST $base/gspLive_backend/no/such)"
expect "generateToken code is a string" '"200"' "$(curl -s -d 'userId=auth0|sqlflow-test' -d secretKey=test-secret-key-0123456789 $base/gspLive_backend/user/generateToken | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["code"]))')"
expect "bad secret: in-body 401 as a string" '"401"' "$(curl -s -d 'userId=auth0|sqlflow-test' -d secretKey=nope $base/gspLive_backend/user/generateToken | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["code"]))')"
expect "bad token: in-body 401, HTTP 200" "200 401" "$(curl -s -w ' %{http_code}' -d 'userId=auth0|sqlflow-test' -d token=bad -d jobId=$job $base/gspLive_backend/sqlflow/job/exportLineageAsJson | python3 -c 'import json,sys; b,s=sys.stdin.read().rsplit(" ",1); print(s, json.loads(b)["code"])')"
sub=$(curl -s -F "userId=$u" -F token=token -F jobName=two -F dbvendor=dbvoracle -F 'sqlfiles=@-;filename=a.sql' -F "sqlfiles=@$0;filename=b.sql" $base/gspLive_backend/sqlflow/job/submitUserJob <<<'create view v as select a from t;')
expect "submit with two files" '["a.sql", "b.sql"] create' "$(echo "$sub" | python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(json.dumps(d["fileNames"]), d["status"])')"
expect "unknown dbvendor is in-body 400" 400 "$(curl -s -F "userId=$u" -F token=token -F jobName=x -F dbvendor=dbvnope -F 'sqlfiles=@-;filename=a.sql' $base/gspLive_backend/sqlflow/job/submitUserJob <<<'select 1' | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])')"
expect "connections are kept alive" 1 "$(curl -s -X POST $base/__reset_stats >/dev/null; curl -s -o /dev/null -o /dev/null -d "userId=$u" -d token=token -d jobId=$job $base/gspLive_backend/sqlflow/job/exportLineageAsJson $base/gspLive_backend/sqlflow/job/exportLineageAsJson; curl -s $base/__stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["connections"] - 1)')"
# gen-lineage-N: the JSON and the CSV export carry the same relationships
lin() { curl -s -F "userId=$u" -F token=token -F jobId=gen-lineage-200000 "$base/gspLive_backend/sqlflow/job/$1"; }
expect "gen-lineage: JSON parses, summary counts, one CSV row per source, same rows" "True True True True" "$(python3 -c '
import csv, json, sys
doc = json.load(open(sys.argv[1]))
rows = list(csv.reader(open(sys.argv[2])))
flow = doc["data"]["sqlflow"]
names = {t["id"]: t["name"] for t in flow["dbobjs"]}
rels = flow["relationships"]
want = [".".join(["DEFAULT", names[s["parentId"]], s["column"], "DEFAULT", r["target"]["parentName"],
                  r["target"]["column"], r["type"], r["effectType"]]) for r in rels for s in r["sources"]]
print(doc["data"]["summary"] == {"relationship": len(rels), "table": len(flow["dbobjs"])},
      len(rows) - 1 == sum(len(r["sources"]) for r in rels), rows[0] == sys.argv[3].split(","),
      [".".join(row) for row in rows[1:]] == want)' <(lin exportLineageAsJson) <(lin exportFullLineageAsCsv) "$H" 2>&1)"
exit $fail
