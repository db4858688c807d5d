"""cal-followup: reminders with drafted follow-up emails after job interviews."""

__version__ = "0.1.0"
#: The command's name, in messages and --help.
PROG = "cal-followup"
