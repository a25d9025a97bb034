"""Turning wire names (table and attribute names) into safe Python identifiers."""

from __future__ import annotations

import functools
import keyword
import re
import unicodedata

__all__ = ["DJANGO_MODEL_ATTRIBUTES", "class_name", "dedupe", "field_name", "py_string"]

# Attributes of pydantic's BaseModel (v2, plus the deprecated v1 names it still defines). A field
# with one of these names would shadow the method, so it is renamed and keeps its wire name as the
# alias. Written out rather than read from pydantic so that the output does not depend on the
# installed version.
BASEMODEL_ATTRIBUTES = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "fields",
        "from_orm",
        "json",
        "model_computed_fields",
        "model_config",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_extra",
        "model_fields",
        "model_fields_set",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)

# Public attributes of Django's ``Model`` and of ``onyx_django.models.OnyxModel`` (the base of the
# ``django`` target). A field named like one would shadow the method; written out, as above.
DJANGO_MODEL_ATTRIBUTES = frozenset(
    {
        "DoesNotExist",
        "Meta",
        "MultipleObjectsReturned",
        "adelete",
        "arefresh_from_db",
        "asave",
        "check",
        "clean",
        "clean_fields",
        "date_error_message",
        "delete",
        "from_db",
        "full_clean",
        "get_constraints",
        "get_deferred_fields",
        "objects",
        "onyx",
        "pk",
        "prepare_database_save",
        "refresh_from_db",
        "save",
        "save_base",
        "serializable_value",
        "unique_error_message",
        "validate_constraints",
        "validate_unique",
    }
)

# Names the generated modules use in annotations and at module level. A field named like one of
# them would hide the type in its class body (pydantic resolves annotations there), and a model
# class named like one of them would shadow the import.
MODULE_NAMES = frozenset(
    {
        "Any",
        "AwareDatetime",
        "BaseModel",
        "ClassVar",
        "ConfigDict",
        "Field",
        "Final",
        "OnyxModel",
        "SCHEMA",
        "annotations",
        "bool",
        "dict",
        "float",
        "int",
        "list",
        "models",
        "str",
        "tables",
    }
)

_INVALID = re.compile(r"[^0-9A-Za-z_]+")
_WORDS = re.compile(r"[^0-9A-Za-z]+")


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


@functools.lru_cache(maxsize=4096)  # pure, and called for every column of every table
def field_name(wire: str) -> str:
    """A Python attribute name for the wire name ``wire`` (equal to it when that is safe).

    >>> [field_name(n) for n in ["email", "class", "first-name", "2fa", "prénom", "_id", "schema"]]
    ['email', 'class_', 'first_name', 'f_2fa', 'prenom', 'id_', 'schema_']
    """
    if (
        wire.isidentifier()
        and wire.isascii()
        and not keyword.iskeyword(wire)
        and not keyword.issoftkeyword(wire)
        and not wire.startswith("_")
        and wire not in BASEMODEL_ATTRIBUTES
        and wire not in MODULE_NAMES
    ):
        return wire
    name = _INVALID.sub("_", _ascii(wire)).strip("_")
    name = re.sub(r"__+", "_", name)
    if not name:
        name = "field"
    if name[0].isdigit():
        name = "f_" + name
    if (
        keyword.iskeyword(name)
        or keyword.issoftkeyword(name)
        or name in BASEMODEL_ATTRIBUTES
        or name in MODULE_NAMES
        or (name != wire and wire.startswith("_"))
    ):
        name += "_"
    return name


def class_name(table: str) -> str:
    """A PascalCase class name for a table (the TypeScript generator's rule, made ASCII-safe).

    >>> [class_name(n) for n in ["User", "user-profile", "order_items", "2fa", "", "none"]]
    ['User', 'UserProfile', 'OrderItems', 'T2fa', 'Table', 'None_']
    """
    parts = [p for p in _WORDS.split(_ascii(table)) if p]
    name = "".join(p[0].upper() + p[1:] for p in parts) or "Table"
    if name[0].isdigit():
        name = "T" + name
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in MODULE_NAMES:
        name += "_"
    return name


def dedupe(name: str, used: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``, … when already in ``used``; records the result."""
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name}_{n}"
    used.add(candidate)
    return candidate


def py_string(value: str) -> str:
    """A Python string literal for ``value`` in the form ``ruff format`` keeps (double quotes
    unless that needs more escapes).

    >>> print(py_string('say "hi"'), py_string("it's"), py_string("a\\nb"))
    'say "hi"' "it's" "a\\nb"
    """
    quote = "'" if '"' in value and "'" not in value else '"'
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == quote:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif not ch.isprintable():
            code = ord(ch)
            if code < 0x100:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
        else:
            out.append(ch)
    return quote + "".join(out) + quote
