"""``python -m surveys``: see :mod:`surveys.cli`."""

import sys

from surveys.cli import main

if __name__ == "__main__":
    sys.exit(main())
