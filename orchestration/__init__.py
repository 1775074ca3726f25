"""Dagster definitions for cs-kpi-warehouse."""
