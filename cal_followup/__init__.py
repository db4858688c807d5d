"""cal-followup: reminders with drafted follow-up emails after job interviews."""

__version__ = "0.1.0"
