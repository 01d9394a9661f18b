#!/usr/bin/env python3
"""Real answers of a running server validated against docs/openapi.json.

Run by tests/test_openapi.c (the test server, tokens in the environment):
    openapi_check.py DOC BASE_URL
with SUBMITTER_TOKEN, TRIAGER_TOKEN and ADMIN_TOKEN set. Each request below is
sent, its status must be one the document lists for that path and method,
its Content-Type one the answer describes, and its body must validate
(JSON Schema draft 2020-12, the dialect of OpenAPI 3.1) against that
schema. Uses Debian's python3-jsonschema. Exits 1 and says why on the first
answer that the document does not describe.
"""
import json
import os
import sys
import urllib.error
import urllib.request

from jsonschema import Draft202012Validator

DOC = json.load(open(sys.argv[1], encoding="utf-8"))
BASE = sys.argv[2].rstrip("/")
TOKENS = {r: os.environ[r.upper() + "_TOKEN"] for r in ("submitter", "triager", "admin")}


def resolve(obj):
    """Follows a local $ref ("#/components/...") to its target."""
    while isinstance(obj, dict) and "$ref" in obj:
        node = DOC
        for part in obj["$ref"][2:].split("/"):
            node = node[part]
        obj = node
    return obj


def validate(schema, value):
    # the components travel with the schema, so "#/components/schemas/X"
    # resolves inside it with any jsonschema 4.x
    root = dict(schema)
    root["components"] = DOC["components"]
    Draft202012Validator(root).validate(value)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 303 is an answer to check, not a page to go to."""

    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def send(method, path, role=None, body=None, ctype="application/json", extra=None):
    headers = dict(extra or {})
    data = None
    if role:
        headers["Authorization"] = "Bearer " + TOKENS[role]
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = ctype
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with OPENER.open(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def check_headers(where, answer, headers):
    """Each header the answer describes: there when required, and its value
    valid against its schema (the Link and ETag patterns)."""
    for name, h in answer.get("headers", {}).items():
        h = resolve(h)
        value = headers.get(name)
        if value is None:
            if h.get("required"):
                sys.exit("%s: the required header %s is missing" % (where, name))
            continue
        try:
            validate(h["schema"], value)
        except Exception as e:
            sys.exit("%s: header %s: %r does not match its schema: %s" % (where, name, value, e))


LAST = {}  # the headers of the last answer check() validated


def check(method, template, path, role=None, body=None, want=None, ctype="application/json",
          extra=None):
    """Sends the request and validates the answer (status, headers,
    Content-Type, body); returns the parsed body. LAST holds its headers."""
    status, headers, raw = send(method, path, role, body, ctype, extra)
    ct = headers.get("Content-Type", "")
    LAST.clear()
    LAST.update({k: v for k, v in headers.items()})
    where = "%s %s -> %d" % (method, path, status)
    if want is not None and status != want:
        sys.exit("%s: expected %d: %s" % (where, want, raw[:300]))
    op = DOC["paths"][template][method.lower()]
    answer = resolve(op["responses"].get(str(status)))
    if answer is None:
        sys.exit("%s: status %d is not described" % (where, status))
    check_headers(where, answer, headers)
    content = answer.get("content")
    if content is None:  # a redirect or 304: nothing to read
        print("ok  %s (no content)" % where)
        return None
    media = content.get(ct) or content.get(ct.split(";")[0].strip())
    if media is None:
        sys.exit("%s: Content-Type %r is not described (%s)" % (where, ct, list(content)))
    value = json.loads(raw) if "json" in ct else raw.decode()
    try:
        validate(media["schema"], value)
    except Exception as e:  # the validator's message names the failing part
        sys.exit("%s: the answer does not match its schema: %s" % (where, e))
    print("ok  %s (%s)" % (where, ct.split(";")[0]))
    return value


def main():
    idea = {"title": "Per-app exit nodes for the browser", "body": "Route only the browser through an exit node",
            "author": "Dana", "labels": ["vpn"], "arr": 120000, "account": "Initech"}
    made = check("POST", "/api/v1/ideas", "/api/v1/ideas", "submitter", idea, 201)
    iid = made["idea_id"]
    twin = dict(idea, title="Per app exit nodes for browsers")
    check("POST", "/api/v1/ideas", "/api/v1/ideas", "submitter", twin, 201)
    check("POST", "/api/v1/ideas", "/api/v1/ideas", "submitter",
          {"title": "Workload identity for CI runners", "body": "OIDC tokens for GitHub Actions"}, 201)
    check("POST", "/api/v1/ideas", "/api/v1/ideas", "submitter", {}, 400)
    check("POST", "/api/v1/ideas", "/api/v1/ideas", "submitter", b"{", 400)
    check("POST", "/api/v1/ideas", "/api/v1/ideas", None, idea, 401)
    t = "/api/v1/ideas/{id}"
    check("PATCH", t, "/api/v1/ideas/%d" % iid, "triager",
          {"visibility": "public", "public_title": "Per-app exit nodes", "status": "planned", "stage": "beta"}, 200)
    check("PATCH", t, "/api/v1/ideas/%d" % iid, "triager", {"status": "someday"}, 400)
    check("GET", t, "/api/v1/ideas/%d" % iid, "triager", want=200)
    check("GET", t, "/api/v1/ideas/999999", "triager", want=404)
    check("GET", t, "/api/v1/ideas/%d" % iid, "submitter", want=403)
    check("GET", t + "/similar", "/api/v1/ideas/%d/similar" % iid, "triager", want=200)
    for view, role in (("public", None), ("customer", "triager"), ("internal", "triager")):
        check("GET", "/api/v1/backlog", "/api/v1/backlog?view=%s&limit=2" % view, role, want=200)
    check("GET", "/api/v1/backlog", "/api/v1/backlog?view=nope", want=400)
    check("GET", "/api/v1/stats", "/api/v1/stats", "triager", want=200)
    check("GET", "/api/v1/audit", "/api/v1/audit?limit=5", "admin", want=200)
    check("GET", "/api/v1/connectors", "/api/v1/connectors", "admin", want=200)
    check("POST", "/api/v1/connectors/{name}/sync", "/api/v1/connectors/nope/sync", "admin", want=404)
    check("POST", "/api/v1/sales-notes", "/api/v1/sales-notes", "submitter",
          [{"account": "Initech", "arr": "120k", "contact": "Pat", "date": "2026-11-02",
           "note": "They want per-app exit nodes"}, {"note": 5}], 200)
    check("POST", "/api/v1/sales-notes", "/api/v1/sales-notes", "submitter", [{"note": 5}], 400)
    check("POST", "/api/v1/sales-notes", "/api/v1/sales-notes", "submitter",
          b"account,arr,contact,date,note\nGlobex,2M,Lee,2026-11-03,Workload identity for CI\n", 200, "text/csv")
    check("GET", "/roadmap/{view}", "/roadmap/public?format=json", want=200)
    check("GET", "/roadmap/{view}", "/roadmap/public?format=csv", want=200)
    check("GET", "/roadmap/{view}", "/roadmap/public", want=200)
    check("GET", "/roadmap/{view}", "/roadmap/nope", want=404)
    check("GET", "/healthz", "/healthz", want=200)
    check("GET", "/readyz", "/readyz", want=200)
    check("GET", "/metrics", "/metrics", want=200)
    check("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", want=200)
    pages(iid)
    conditional(iid)
    lists()
    merge(iid)


def conditional(iid):
    """The idea's ETag: 304 while unchanged; a PATCH with it applies once,
    the same ETag again is 412; a malformed If-Match is 400."""
    t, path = "/api/v1/ideas/{id}", "/api/v1/ideas/%d" % iid
    check("GET", t, path, "triager", want=200)
    etag = LAST["ETag"]
    check("GET", t, path, "triager", want=304, extra={"If-None-Match": etag})
    check("PATCH", t, path, "triager", {"owner": "dana"}, 200, extra={"If-Match": etag})
    if LAST["ETag"] == etag:
        sys.exit("PATCH %s: the ETag did not change with the idea" % path)
    check("PATCH", t, path, "triager", {"owner": "lee"}, 412, extra={"If-Match": etag})
    check("PATCH", t, path, "triager", {"owner": "lee"}, 400, extra={"If-Match": "nope"})


def walk(template, first, role, key):
    """Follows a list's Link headers from first to the end; returns the
    values of key of every item, checking each page on the way."""
    seen, path = [], first
    for _ in range(100):
        page = check("GET", template, path, role, want=200)
        seen += [it[key] for it in page["items"]]
        link = LAST.get("Link")
        if (link is None) != (page["next"] is None):
            sys.exit("GET %s: Link %r and next %r disagree" % (path, link, page["next"]))
        if link is None:
            return seen
        path = link[1:link.index(">")]
    sys.exit("GET %s: more than 100 pages" % first)


def lists():
    """Every paged list walked by its Link header alone: each item once."""
    for template, query, role, limit in (("/api/v1/backlog", "view=internal&", "triager", 1),
                                         ("/api/v1/audit", "", "admin", 1)):
        first = "%s?%slimit=" % (template, query)
        whole = [it["id"] for it in check("GET", template, first + "500", role, want=200)["items"]]
        paged = walk(template, first + str(limit), role, "id")
        if paged != whole or len(set(paged)) != len(paged) or len(whole) <= limit:
            sys.exit("%s: pages of %d gave %r, one page %r" % (first, limit, paged, whole))
    check("GET", "/api/v1/audit", "/api/v1/audit?after=x", "admin", want=400)
    check("GET", "/api/v1/backlog", "/api/v1/backlog?after=1~x~2", want=400)


def merge(iid):
    other = check("POST", "/api/v1/ideas", "/api/v1/ideas", "submitter",
                  {"title": "Kubernetes operator for subnet routers"}, 201)["idea_id"]
    t = "/api/v1/ideas/{id}"
    check("POST", t + "/merge", "/api/v1/ideas/%d/merge" % other, "triager", {"into": iid}, 200)
    check("POST", t + "/merge", "/api/v1/ideas/%d/merge" % other, "triager", {"into": "x"}, 400)
    check("POST", t + "/unmerge", "/api/v1/ideas/%d/unmerge" % other, "triager", want=200)
    check("POST", t + "/unmerge", "/api/v1/ideas/%d/unmerge" % other, "triager", want=409)


def pages(iid):
    check("GET", "/", "/", want=303)
    check("GET", "/login", "/login", want=200)
    check("POST", "/login", "/login", body=b"token=x", ctype="text/plain", want=415)
    check("POST", "/login", "/login", body=b"token=x", ctype="application/x-www-form-urlencoded", want=403)
    check("POST", "/logout", "/logout", want=303)
    check("GET", "/board", "/board", want=303)
    check("GET", "/board", "/board", "triager", want=200)
    check("GET", "/board", "/board", "submitter", want=403)
    check("GET", "/ideas/{id}", "/ideas/%d" % iid, "triager", want=200)
    form = "application/x-www-form-urlencoded"
    check("POST", "/ideas/{id}", "/ideas/%d" % iid, "triager", b"status=planned", 403, form)
    check("POST", "/ideas/{id}/fold", "/ideas/%d/fold" % iid, "triager", b"into=1", 403, form)
    check("POST", "/ideas/{id}/unfold", "/ideas/%d/unfold" % iid, "triager", b"", 403, form)
    check("GET", "/submit", "/submit", "submitter", want=200)
    check("GET", "/submit", "/submit", want=401)
    check("POST", "/submit", "/submit", "submitter", b"title=x", 415, "text/plain")
    check("GET", "/submit/thanks", "/submit/thanks?idea=%d" % iid, want=200)
    check("GET", "/submit/thanks", "/submit/thanks?idea=x", want=400)
    check("POST", "/webhooks/github", "/webhooks/github", body={"zen": "hi"}, want=401)


if __name__ == "__main__":
    main()
