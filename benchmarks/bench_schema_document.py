"""Reading and validating schema documents, and decoding documents (the payload paths pydantic
models back): codegen's reader, the schema diff, Onyx Local's validator and ``parse_document``.

Run: ``.venv/bin/python benchmarks/bench_schema_document.py [--tables 200] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import base64
import time
from collections.abc import Callable
from typing import Any

from bench_codegen import big_schema

from onyx_database._data_apis import parse_document
from onyx_database._request import RawResponse
from onyx_database._schema_diff import diff_schemas
from onyx_database.codegen import build_package_spec
from onyx_database.local._schema import validate_document


def best_ms(work: Callable[[], Any], repeat: int) -> float:
    # CPU time of this process: on a shared machine wall time mostly measures the neighbours.
    timings = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        timings.append(time.process_time() - start)
    return min(timings) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--documents", type=int, default=20_000)
    args = parser.parse_args()
    schema = big_schema(args.tables)
    changed = big_schema(args.tables, attributes=26)
    body = (
        b'{"documentId":"logo.png","path":"/brand/logo.png","mimeType":"image/png","content":"'
        + base64.b64encode(b"x" * 512)
        + b'"}'
    )
    response = RawResponse(200, {"content-type": "application/json"}, body)

    def decode_documents() -> None:
        for _ in range(args.documents):
            parse_document("logo.png", response)

    figures = {
        "codegen spec": best_ms(lambda: build_package_spec(schema), args.repeat),
        "schema diff": best_ms(lambda: diff_schemas(schema, changed), args.repeat),
        "local validate": best_ms(lambda: validate_document(schema), args.repeat),
        f"parse_document x{args.documents}": best_ms(decode_documents, args.repeat),
    }
    print(f"{args.tables} tables x 27 attributes, best CPU time of {args.repeat}:")
    for name, ms in figures.items():
        print(f"  {name:<24} {ms:8.1f} ms")


if __name__ == "__main__":
    main()
