"""Continuous compliance: which NSO alarms an audit run raises or clears, and the
per-run notification's content. Pure: a report, the settings and the previous
alarm state in; the new alarm state and what to send out.

May import the core only; the `ncs` calls that submit alarms and send the
notification are in `nso/` (nso/alarm_glue.py).
"""
