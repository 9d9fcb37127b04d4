#!/usr/bin/env python3
"""Cuts Stripe's OpenAPI spec down to the paths simrenew's adapter calls and the few components
their answers are read through, so that a mock server (Prism) loads it in seconds: the full
spec, and even every component the paths reach, is a graph of cycles (intent → charge →
invoice → customer → ...) that Prism is still resolving after minutes. A reference to any
other component becomes `{}` (any value): those parts of the answers are never read. Request
bodies are inline in Stripe's spec and are kept whole. The output is generated at test time,
never committed.

usage: cut-stripe-spec.py SPEC3.json OUT.json
"""
import json
import sys

PATHS = [
    "/v1/payment_intents",
    "/v1/payment_intents/{intent}",
    "/v1/payment_intents/{intent}/confirm",
    "/v1/refunds",
    "/v1/customers",
    "/v1/payment_methods/{payment_method}/attach",
    "/v1/payment_methods/{payment_method}/detach",
]


# The components kept: what the adapter reads in answers.
KEEP = {
    "error",
    "api_errors",
    "payment_intent",
    "payment_intent_next_action",
    "payment_intent_next_action_redirect_to_url",
    "refund",
    "customer",
    "payment_method",
    "payment_method_card",
}


# Form properties the adapter sends as bracketed keys. Prism (5.x) reads every `deepObject`
# encoding entry as present, and then reports the required fields of objects nobody sent
# (`shipping`, `mandate_data`...): the entries of properties we never send are dropped.
DEEP_OBJECTS = {"metadata", "payment_method_types"}


def trim_encodings(path_item):
    for op in path_item.values():
        if not isinstance(op, dict):
            continue
        for media in op.get("requestBody", {}).get("content", {}).values():
            enc = media.get("encoding")
            if enc is not None:
                media["encoding"] = {k: v for k, v in enc.items() if k in DEEP_OBJECTS}
    return path_item


def prune(node):
    """Replaces references to components not kept by `{}`."""
    if isinstance(node, dict):
        r = node.get("$ref")
        if isinstance(r, str) and r.startswith("#/components/schemas/"):
            if r.rsplit("/", 1)[1] not in KEEP:
                return {}
        return {k: prune(v) for k, v in node.items()}
    if isinstance(node, list):
        return [prune(v) for v in node]
    return node


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
    paths = {p: trim_encodings(prune(spec["paths"][p])) for p in PATHS}
    wanted, todo = set(), set()
    refs(paths, todo)
    while todo:
        r = todo.pop()
        if r in wanted:
            continue
        wanted.add(r)
        _, _, kind, name = r.split("/", 3)
        refs(prune(spec["components"][kind][name]), todo)
    components = {}
    for r in sorted(wanted):
        _, _, kind, name = r.split("/", 3)
        components.setdefault(kind, {})[name] = prune(spec["components"][kind][name])
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
