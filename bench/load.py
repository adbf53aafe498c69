#!/usr/bin/env python3
"""Seeds a SCIM server for scripts/bench and writes the id files the wrk scripts read.

Subcommands (the bearer token comes from the BENCH_TOKEN environment variable, never argv):
  api-seed  create users bench0000001@example.com ... through POST /Users
  bulk      insert users straight into scimd's database, copying a template user that was
            created through the API (so every column is filled the way scimd fills it)
  group     create one group whose members are the first --members seeded users
  bulk-group  create an empty group through the API, then insert its first --members bulk
            users as membership rows straight into the database (for groups too large for
            one request); writes group_N.txt and candidates_N.txt (users not in it)
  deep-cursor  walk the default listing by cursor to the page of --count rows that ends the
            directory; writes its path and query (for wrk) to the --file named

Files written to --out: user_ids.txt (one id per seeded user, in name order), group_id.txt and
candidate_ids.txt (seeded users that are not members of the group, for the PATCH workload).
Only loopback URLs are accepted: the benchmark talks to servers it started itself.
"""

import argparse
import http.client
import json
import os
import sqlite3
import subprocess
import sys
import threading
import urllib.parse

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
TEMPLATE = "benchtemplate"


def user_stem(i):
    return "bench%07d" % i


def user_body(stem):
    return {
        "schemas": [USER_SCHEMA],
        "userName": stem + "@example.com",
        "externalId": "ext-" + stem,
        "displayName": "Bench " + stem,
        "active": True,
        "name": {"givenName": "Bench", "familyName": stem},
        "emails": [{"value": stem + "@example.com", "type": "work", "primary": True}],
    }


class Client:
    """One keep-alive connection to a loopback SCIM server."""

    def __init__(self, base_url):
        url = urllib.parse.urlsplit(base_url)
        if url.scheme != "http" or url.hostname not in ("127.0.0.1", "localhost", "::1"):
            sys.exit("load.py: refusing non-loopback URL " + base_url)
        self.path = url.path.rstrip("/")
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        self.headers = {
            "Authorization": "Bearer " + os.environ.get("BENCH_TOKEN", ""),
            "Content-Type": "application/scim+json",
            "Accept": "application/scim+json",
        }

    def send(self, method, path, body=None):
        payload = None if body is None else json.dumps(body).encode()
        self.conn.request(method, self.path + path, body=payload, headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.status >= 300:
            sys.exit("load.py: %s %s -> %d %s" % (method, path, response.status, data[:300]))
        return json.loads(data) if data else None


def write_lines(out_dir, name, lines):
    with open(os.path.join(out_dir, name), "w") as f:
        for line in lines:
            f.write(line + "\n")


def api_seed(args):
    ids = [None] * args.users
    failures = []

    def worker(first):
        client = Client(args.base)
        try:
            for i in range(first, args.users, args.connections):
                ids[i] = client.send("POST", "/Users", user_body(user_stem(i + 1)))["id"]
        except SystemExit as e:
            failures.append(str(e))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        sys.exit(failures[0])
    write_lines(args.out, "user_ids.txt", ids)
    print("load.py: created %d users through the API" % args.users)


def bulk_id_sql(dialect):
    if dialect == "sqlite":
        return "printf('%08x-0000-4000-8000-%012x', s.i, s.i)"
    return "lpad(to_hex(s.i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(s.i), 12, '0')"


def bulk_id(i):
    return "%08x-0000-4000-8000-%012x" % (i, i)


def bulk_stem_sql(dialect):
    if dialect == "sqlite":
        return "'bench' || printf('%07d', s.i)"
    return "'bench' || lpad(s.i::text, 7, '0')"


def column_expression(dialect, name, type_name, template_id):
    """Copies a template column, renaming the template user inside text and JSON values."""
    type_name = type_name.lower()
    if name == "org_id":
        return "t." + name
    textual = type_name in ("text", "character varying", "json", "jsonb") or (
        dialect == "sqlite" and type_name in ("", "text"))
    if not textual:
        return "t." + name
    source = "t.%s::text" % name if type_name in ("json", "jsonb") else "t." + name
    renamed = "replace(replace(%s, '%s', %s), '%s', %s)" % (
        source, TEMPLATE, bulk_stem_sql(dialect), template_id, bulk_id_sql(dialect))
    return renamed + ("::" + type_name if type_name in ("json", "jsonb") else "")


def bulk_sql(dialect, columns, org_id, template_id, users):
    names = ", ".join(name for name, _ in columns)
    exprs = ", ".join(column_expression(dialect, n, t, template_id) for n, t in columns)
    if dialect == "sqlite":
        series = ("(WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < %d) "
                  "SELECT i FROM r) AS s" % users)
    else:
        series = "generate_series(1, %d) AS s(i)" % users
    return ("INSERT INTO users (%s) SELECT %s FROM users AS t, %s "
            "WHERE t.org_id = '%s' AND t.id = '%s'" % (names, exprs, series, org_id, template_id))


def check_literal(value):
    if not value or "'" in value or "\\" in value:
        sys.exit("load.py: unexpected characters in " + repr(value))
    return value


def bulk_sqlite(path, org_id, template_id, users):
    db = sqlite3.connect(path, timeout=60)
    columns = [(row[1], row[2]) for row in db.execute("PRAGMA table_info(users)")]
    with db:
        db.execute(bulk_sql("sqlite", columns, org_id, template_id, users))
    db.execute("ANALYZE")
    db.close()


def psql(url, sql):
    result = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", url],
                            input=sql, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("load.py: psql failed: " + result.stderr.strip())
    return result.stdout


def bulk_postgres(url, org_id, template_id, users):
    rows = psql(url, "SELECT column_name || '|' || data_type FROM information_schema.columns "
                     "WHERE table_name = 'users' AND table_schema = current_schema() "
                     "ORDER BY ordinal_position;")
    columns = [tuple(line.split("|", 1)) for line in rows.splitlines() if line]
    psql(url, bulk_sql("postgresql", columns, org_id, template_id, users) + ";\nANALYZE users;\n")


def bulk(args):
    check_literal(args.org)
    template_id = Client(args.base).send("POST", "/Users", user_body(TEMPLATE))["id"]
    check_literal(template_id)
    if args.db.startswith("sqlite:"):
        bulk_sqlite(args.db[len("sqlite:"):], args.org, template_id, args.users)
    elif args.db.startswith("postgresql://"):
        bulk_postgres(args.db, args.org, template_id, args.users)
    else:
        sys.exit("load.py: unsupported --db " + args.db)
    write_lines(args.out, "user_ids.txt", (bulk_id(i) for i in range(1, args.users + 1)))
    print("load.py: inserted %d users into the database" % args.users)


def group(args):
    with open(os.path.join(args.out, "user_ids.txt")) as f:
        ids = [line.strip() for line in f if line.strip()]
    if len(ids) <= args.members:
        sys.exit("load.py: need more than %d users for the group" % args.members)
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "bench-group-%d" % os.getpid(),
        "members": [{"value": i} for i in ids[:args.members]],
    }
    created = Client(args.base).send("POST", "/Groups", body)
    write_lines(args.out, "group_id.txt", [created["id"]])
    write_lines(args.out, "candidate_ids.txt", ids[args.members:])
    print("load.py: created a group with %d members" % args.members)


def bulk_members_sql(dialect, org_id, group_id, members):
    if dialect == "sqlite":
        series = ("(WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < %d) "
                  "SELECT i FROM r) AS s" % members)
    else:
        series = "generate_series(1, %d) AS s(i)" % members
    return ("INSERT INTO group_members (org_id, group_id, member_id, member_type) "
            "SELECT '%s', '%s', %s, 'User' FROM %s" % (org_id, group_id, bulk_id_sql(dialect), series))


def bulk_group(args):
    """Members are bulk users 1..N (bulk ids are deterministic); candidates come from the end."""
    check_literal(args.org)
    if args.members + 1000 > args.users:
        sys.exit("load.py: need at least 1000 users beyond the %d members" % args.members)
    body = {"schemas": [GROUP_SCHEMA], "displayName": "bench-group-%d" % args.members}
    group_id = check_literal(Client(args.base).send("POST", "/Groups", body)["id"])
    if args.db.startswith("sqlite:"):
        db = sqlite3.connect(args.db[len("sqlite:"):], timeout=60)
        with db:
            db.execute(bulk_members_sql("sqlite", args.org, group_id, args.members))
        db.execute("ANALYZE")
        db.close()
    else:
        psql(args.db, bulk_members_sql("postgresql", args.org, group_id, args.members) +
             ";\nANALYZE group_members;\n")
    write_lines(args.out, "group_%d.txt" % args.members, [group_id])
    write_lines(args.out, "candidates_%d.txt" % args.members,
                (bulk_id(i) for i in range(args.users - 999, args.users + 1)))
    print("load.py: group %s has %d members" % (group_id, args.members))


def deep_cursor(args):
    """Pages of up to 1000 by cursor until `count` rows remain, then one shorter page."""
    client = Client(args.base)
    total = client.send("GET", "/Users?count=0")["totalResults"]
    remaining = total
    cursor = ""
    while remaining > args.count:
        step = min(1000, remaining - args.count)
        page = client.send("GET", "/Users?count=%d&cursor=%s" % (step, urllib.parse.quote(cursor)))
        cursor = page.get("nextCursor")
        if not cursor:
            sys.exit("load.py: the listing ended before the deep page")
        remaining -= len(page["Resources"])
    path = "/Users?count=%d&cursor=%s" % (args.count, urllib.parse.quote(cursor, safe=""))
    write_lines(args.out, args.file, [path])
    print("load.py: deep cursor page starts after row %d of %d" % (total - remaining, total))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("api-seed", "bulk", "group", "bulk-group", "deep-cursor"):
        sub = commands.add_parser(name)
        sub.add_argument("--base", required=True, help="SCIM base URL, e.g. http://127.0.0.1:8080/scim/v2")
        sub.add_argument("--out", required=True, help="directory for the id files")
        if name not in ("group", "deep-cursor"):
            sub.add_argument("--users", type=int, required=True)
        if name == "api-seed":
            sub.add_argument("--connections", type=int, default=4)
        if name in ("bulk", "bulk-group"):
            sub.add_argument("--db", required=True, help="sqlite:PATH or postgresql://...")
            sub.add_argument("--org", required=True, help="org id the seeded users belong to")
        if name in ("group", "bulk-group"):
            sub.add_argument("--members", type=int, default=5000)
        if name == "deep-cursor":
            sub.add_argument("--count", type=int, default=100)
            sub.add_argument("--file", required=True)
    args = parser.parse_args()
    {"api-seed": api_seed, "bulk": bulk, "group": group, "bulk-group": bulk_group,
     "deep-cursor": deep_cursor}[args.command](args)


if __name__ == "__main__":
    main()
