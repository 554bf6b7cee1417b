#!/usr/bin/env python
import os
import sys
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mipres.settings")
    if os.environ["DJANGO_SETTINGS_MODULE"] == "mipres.settings":
        # First use on this machine: a local .env with its own secret key (mipres/lib/localenv.py).
        from mipres.lib.localenv import ensure

        ensure(Path(__file__).resolve().parent)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
