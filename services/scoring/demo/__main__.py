"""Entry point of `python -m services.scoring.demo`."""

import sys

from services.scoring.demo.cli import main

sys.exit(main())
