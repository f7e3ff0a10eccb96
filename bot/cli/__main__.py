"""`python -m bot.cli`: the `styra` admin command."""

from bot.cli.main import main

raise SystemExit(main())
