"""Allow ``python -m explorer`` as well as the ``iox`` console script."""

from explorer.cli import main

raise SystemExit(main())
