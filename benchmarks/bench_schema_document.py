"""Reading and validating schema documents, and decoding documents (the payload paths pydantic
models back): codegen's reader, the schema diff, Onyx Local's validator and ``parse_document``
(a JSON OnyxDocument body, and raw content with its metadata in headers).

Run: ``.venv/bin/python benchmarks/bench_schema_document.py [--tables 200] [--repeat 5]``

Before/after in one run (the package of another commit, interleaved with this tree's):
``.venv/bin/python benchmarks/bench_schema_document.py --against 48d4f62 --rounds 5``
"""

from __future__ import annotations

import argparse
import base64
import time
from collections.abc import Callable
from typing import Any

from _compare import Figures, run
from bench_codegen import big_schema


def best_ms(work: Callable[[], Any], repeat: int) -> float:
    # CPU time of this process: on a shared machine wall time mostly measures the neighbours.
    timings = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        timings.append(time.process_time() - start)
    return min(timings) * 1000


def figures(args: argparse.Namespace) -> Figures:
    from onyx_database._data_apis import parse_document
    from onyx_database._request import RawResponse
    from onyx_database._schema_diff import diff_schemas
    from onyx_database.codegen import build_package_spec
    from onyx_database.local._schema import validate_document

    schema = big_schema(args.tables)
    changed = big_schema(args.tables, attributes=26)
    body = (
        b'{"documentId":"logo.png","path":"/brand/logo.png","mimeType":"image/png","content":"'
        + base64.b64encode(b"x" * 512)
        + b'"}'
    )
    json_response = RawResponse(200, {"content-type": "application/json"}, body)
    raw_response = RawResponse(
        200,
        {
            "content-type": "image/png",
            "x-onyx-document-id": "logo.png",
            "x-onyx-document-path": "%2Fbrand%2Flogo.png",
            "x-onyx-document-created": "2026-01-01T00%3A00%3A00Z",
        },
        b"x" * 512,
    )

    def decode(response: RawResponse) -> Callable[[], None]:
        def work() -> None:
            for _ in range(args.documents):
                parse_document("logo.png", response)

        return work

    per_document = 1000 / args.documents  # ms per batch -> µs per document
    return {
        "codegen spec (ms)": best_ms(lambda: build_package_spec(schema), args.repeat),
        "schema diff (ms)": best_ms(lambda: diff_schemas(schema, changed), args.repeat),
        "local validate (ms)": best_ms(lambda: validate_document(schema), args.repeat),
        "parse_document JSON (µs)": best_ms(decode(json_response), args.repeat) * per_document,
        "parse_document headers (µs)": best_ms(decode(raw_response), args.repeat) * per_document,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--documents", type=int, default=20_000)
    run(
        __file__,
        parser,
        figures,
        lambda a: f"{a.tables} tables x 27 attributes, best CPU time of {a.repeat}:",
    )


if __name__ == "__main__":
    main()
