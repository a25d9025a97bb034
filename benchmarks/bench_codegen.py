"""How long code generation takes for a large schema (goal: under 2 s for 200 tables).

Run: ``.venv/bin/python benchmarks/bench_codegen.py [--tables 200] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from onyx_database.codegen import generate_package

TYPES = ["String", "Boolean", "Char", "Int", "Long", "Double", "Timestamp", "EmbeddedObject"]


def big_schema(tables: int, attributes: int = 25) -> dict[str, Any]:
    entities = []
    for t in range(tables):
        name = f"Table{t:03d}"
        attrs = [{"name": "id", "type": "String"}]
        attrs += [
            {"name": f"field_{a}", "type": TYPES[a % len(TYPES)], "isNullable": a % 2 == 0}
            for a in range(attributes)
        ]
        attrs.append({"name": "class", "type": "String", "isNullable": True})
        target = f"Table{(t + 1) % tables:03d}"
        script = f'db.from("{target}").where(eq("id", this.id)).list()'
        resolvers = [{"name": "next", "resolver": script}]
        entities.append(
            {
                "name": name,
                "identifier": {"name": "id", "generator": "UUID", "type": "String"},
                "partition": "",
                "attributes": attrs,
                "resolvers": resolvers,
            }
        )
    return {"entities": entities}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    schema = big_schema(args.tables)
    timings = []
    files: dict[str, str] = {}
    for _ in range(args.repeat):
        start = time.perf_counter()
        files = generate_package(schema, version="bench")
        timings.append(time.perf_counter() - start)
    size = sum(len(text) for text in files.values())
    best, worst = min(timings), max(timings)
    print(
        f"codegen: {args.tables} tables x 27 fields -> {size / 1024:.0f} KiB of source; "
        f"best {best * 1000:.1f} ms, worst {worst * 1000:.1f} ms over {args.repeat} runs "
        f"(goal < 2000 ms)"
    )


if __name__ == "__main__":
    main()
