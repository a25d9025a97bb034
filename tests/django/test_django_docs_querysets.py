"""The queryset examples of docs/django.md run as written (Querysets, Lookups, Async), against
Onyx Local, with the docs' ``Profile`` model."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from onyx_django_people import Profile  # docs/django.md's model (plus userId, required here)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "django.md"

pytestmark = pytest.mark.usefixtures("server")


def first_block(heading: str) -> str:
    text = DOCS.read_text()
    section = text[text.index(f"\n{heading}\n") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, heading
    return match.group(1)


def test_the_querysets_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {"Profile": Profile}
    exec(compile(first_block("## Querysets"), "docs/django.md#querysets", "exec"), namespace)  # noqa: S102
    assert "PUT /data/{db}/query/UserProfile" in capsys.readouterr().out
    assert Profile.onyx.get(pk="p9").age == 37
    assert sorted(Profile.onyx.filter(firstName="B").values_list("age", flat=True)) == [30, 30]
    assert Profile.onyx.filter(pk="p10").exists()


@pytest.mark.parametrize(
    "line", [line for line in first_block("### Lookups").splitlines() if line.strip()]
)
def test_every_lookups_line_does_what_its_comment_says(line: str) -> None:
    code, _, comment = line.partition("#")
    if comment.strip().startswith("ValueError"):
        expected = comment.split(":", 1)[1].strip()
        with pytest.raises(ValueError, match=re.escape(expected)):
            eval(code, {"Profile": Profile})  # noqa: S307
    else:
        list(eval(code, {"Profile": Profile}))  # noqa: S307


@pytest.mark.anyio
async def test_the_async_example_runs() -> None:
    from onyx_django import connections

    body = textwrap.indent(first_block("## Async"), "    ")
    namespace: dict[str, Any] = {"Profile": Profile}
    source = f"async def example():\n{body}\n    return count, first, ada"
    exec(compile(source, "docs/django.md#async", "exec"), namespace)  # noqa: S102
    count, first, ada = await namespace["example"]()
    assert (count, first.id, ada.id) == (4, "p5", "p1")
    await connections.aclose_all()
