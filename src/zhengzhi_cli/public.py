"""Public disclosure (政务公开): the report lives in reports/public.py; this name stays for its callers."""

from .reports.public import DONE, FIXING, compose, status_on, write_report

__all__ = ["DONE", "FIXING", "compose", "status_on", "write_report"]
