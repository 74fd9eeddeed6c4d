"""Entry point of `python -m services.registry.demo`."""

import sys

from services.registry.demo.cli import main

sys.exit(main())
