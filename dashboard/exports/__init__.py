"""Exports: every file the dashboard hands out passes through `record.exported`."""
