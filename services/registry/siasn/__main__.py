"""`python -m services.registry.siasn`: see services.registry.siasn.cli."""

from services.registry.siasn.cli import main

raise SystemExit(main())
