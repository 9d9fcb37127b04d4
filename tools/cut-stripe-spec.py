#!/usr/bin/env python3
"""Cuts Stripe's OpenAPI spec down to the paths simrenew's adapter calls, with every component
they reference (transitively), so that a mock server (Prism) loads it in seconds instead of
minutes. The output is generated at test time, never committed.

usage: cut-stripe-spec.py SPEC3.json OUT.json
"""
import json
import sys

PATHS = [
    "/v1/payment_intents",
    "/v1/payment_intents/{intent}",
    "/v1/payment_intents/{intent}/confirm",
    "/v1/refunds",
]


def refs(node, found):
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/components/"):
            found.add(r)
        for v in node.values():
            refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(src) as f:
        spec = json.load(f)
    paths = {p: spec["paths"][p] for p in PATHS}
    wanted, todo = set(), set()
    refs(paths, todo)
    while todo:
        r = todo.pop()
        if r in wanted:
            continue
        wanted.add(r)
        _, _, kind, name = r.split("/", 3)
        refs(spec["components"][kind][name], todo)
    components = {}
    for r in sorted(wanted):
        _, _, kind, name = r.split("/", 3)
        components.setdefault(kind, {})[name] = spec["components"][kind][name]
    for kind in ("securitySchemes",):
        if kind in spec["components"]:
            components[kind] = spec["components"][kind]
    cut = {k: spec[k] for k in ("openapi", "info", "servers", "security") if k in spec}
    cut["paths"] = paths
    cut["components"] = components
    with open(out, "w") as f:
        json.dump(cut, f)
    print(f"{out}: {len(paths)} paths, {len(wanted)} components")


if __name__ == "__main__":
    main()
