"""Allows ``python -m cal_followup``."""

from cal_followup.cli import main

raise SystemExit(main())
