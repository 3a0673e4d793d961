"""Validate custom resources against the openAPIV3Schema of their CustomResourceDefinitions.

Reads one JSON object on stdin: {"crds": [CRD objects], "documents": [resources]}.
Prints one line per resource (PASS/FAIL ...) and exits 1 when any resource fails.

The API server applies a CRD's structural schema with strict field validation: fields that
the schema does not declare are rejected unless the node says x-kubernetes-preserve-unknown-fields.
JSON Schema allows unknown properties by default, so the schema is tightened before use.
"""

import json
import sys

from jsonschema import Draft7Validator


def tighten(node):
    """Return a copy of a structural schema node with Kubernetes' extensions made explicit."""
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {name: tighten(child) for name, child in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = tighten(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [tighten(child) for child in value]
        elif key == "format":
            # Kubernetes formats (int32, byte, date-time, ...) are advisory here, as in the server's
            # structural validation, apart from the ones the API server checks itself.
            continue
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    preserves_unknown = node.get("x-kubernetes-preserve-unknown-fields") is True
    if "properties" in node and "additionalProperties" not in node and not preserves_unknown:
        out["additionalProperties"] = False
    return out


def schema_for(crd, api_version, kind):
    spec = crd.get("spec", {})
    group = spec.get("group")
    if spec.get("names", {}).get("kind") != kind:
        return None
    for version in spec.get("versions", []):
        if f"{group}/{version.get('name')}" != api_version:
            continue
        if not version.get("served", True):
            return None
        schema = tighten(version.get("schema", {}).get("openAPIV3Schema", {"type": "object"}))
        props = schema.setdefault("properties", {})
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props["metadata"] = {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "namespace": {"type": "string"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "additionalProperties": False,
        }
        return schema
    return None


def main():
    request = json.load(sys.stdin)
    crds = request["crds"]
    failed = False
    for doc in request["documents"]:
        api_version = doc.get("apiVersion", "")
        kind = doc.get("kind", "")
        name = (doc.get("metadata") or {}).get("name", "<unnamed>")
        label = f"{kind}/{name} ({api_version})"
        schema = next((s for s in (schema_for(c, api_version, kind) for c in crds) if s), None)
        if schema is None:
            print(f"FAIL {label}: no CustomResourceDefinition serves this kind and version")
            failed = True
            continue
        errors = sorted(Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errors:
            failed = True
            for error in errors:
                where = ".".join(str(p) for p in error.absolute_path) or "<root>"
                print(f"FAIL {label}: {where}: {error.message}")
        else:
            print(f"PASS {label}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
