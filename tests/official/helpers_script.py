"""Print, as JSON, what the official SDK's helpers give for every case of ``helper_cases.py``
(run in ``.venv-official``; ``test_official_helpers.py`` compares)."""

from __future__ import annotations

import json
import sys
from typing import Any

import helper_cases


def main() -> None:
    import onyx_database

    functions = {name: getattr(onyx_database, name) for name in helper_cases.FUNCTIONS}

    def plain(value: Any) -> Any:
        return value  # the official helpers return plain dicts

    if sys.argv[1:] == ["composition"]:
        db = onyx_database.onyx.init(
            base_url=helper_cases.REFUSED, database_id="d", api_key="k", api_secret="s"
        )
        json.dump(helper_cases.composition(db, onyx_database), sys.stdout)
        return
    json.dump(helper_cases.run(functions, plain), sys.stdout)


if __name__ == "__main__":
    main()
