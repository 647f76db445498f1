"""Schema revisions, oldest first (``v0001_…``); add one with `trading-api db revision`."""
