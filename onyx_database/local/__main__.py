"""``python -m onyx_database.local``: the same as ``onyx-py local`` (same flags)."""

import sys

if __name__ == "__main__":
    try:
        from onyx_database.cli._local import local_main
    except ImportError as exc:
        print(f"Onyx Local's command line needs the [local] extra ({exc})", file=sys.stderr)
        sys.exit(2)
    sys.exit(local_main(prog_name="python -m onyx_database.local"))
