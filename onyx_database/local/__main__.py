"""``python -m onyx_database.local``: the same as ``onyx-py local``."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
