"""`python -m trading_api` runs the CLI."""

import sys

from trading_api.cli import main

sys.exit(main())
