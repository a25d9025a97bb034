"""Print, as JSON, what the official SDK's vector-search helpers give for every case of
``vector_cases.py`` (run in ``.venv-official``; ``test_official_vector.py`` compares)."""

from __future__ import annotations

import json
import sys
from typing import Any

import vector_cases


def main() -> None:
    import onyx_database

    names = [
        "semantic_vector_signature",
        "vector_search_query",
        "hnsw_search_query",
        "approximate_index_candidate_query",
        "search",
        "approximate_search",
        "hnsw_candidates",
        "approximate_candidates",
    ]
    functions = {name: getattr(onyx_database, name) for name in names}

    def plain(value: Any) -> Any:
        return value  # the official helpers return plain dicts

    json.dump(vector_cases.run(functions, plain), sys.stdout)


if __name__ == "__main__":
    main()
