"""The official SDK's stream handle is the dict ``{"cancel": fn}``; ours also reads as one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["CancelDict"]


class CancelDict:
    """Mixin: ``handle["cancel"]()`` and ``handle.get("cancel")()`` call ``handle.cancel()``.

    >>> class Handle(CancelDict):
    ...     def cancel(self) -> None: print("cancelled")
    >>> handle = Handle()
    >>> handle["cancel"](); handle.get("cancel")(); "cancel" in handle, handle.get("x")
    cancelled
    cancelled
    (True, None)
    """

    __slots__ = ()

    cancel: Callable[[], Any]

    def __getitem__(self, key: str) -> Callable[[], Any]:
        if key != "cancel":
            raise KeyError(key)
        return self.cancel

    def __contains__(self, key: object) -> bool:
        return key == "cancel"

    def get(self, key: str, default: Any = None) -> Any:
        """``self.cancel`` for ``"cancel"``, else ``default`` (the official dict's ``get``)."""
        return self.cancel if key == "cancel" else default

    def keys(self) -> tuple[str]:
        """``("cancel",)``: ``dict(handle)`` is the official handle dict."""
        return ("cancel",)
