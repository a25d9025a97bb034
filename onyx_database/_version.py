"""The version of ``onyx-py`` (``pyproject.toml`` reads it from here: one place to bump).

>>> from onyx_database import __version__
>>> __version__.count(".")
2
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
