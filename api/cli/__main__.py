"""``python -m api.cli``: the ``tidings`` command."""

import sys

from api.cli.commands import main

sys.exit(main())
