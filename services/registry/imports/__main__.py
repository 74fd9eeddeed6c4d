"""Entry point of `python -m services.registry.imports`."""

import sys

from services.registry.imports.cli import main

sys.exit(main())
