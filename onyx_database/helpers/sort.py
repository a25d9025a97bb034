"""The official ``onyx_database.helpers.sort``: sort keys for ``order_by()``.

>>> from onyx_database.helpers.sort import desc
>>> desc("createdAt") == {"field": "createdAt", "direction": "DESC"}
True
"""

from __future__ import annotations

from .._conditions import Sort, asc, desc

__all__ = ["Sort", "asc", "desc"]
