"""Connectors and loading for cs-kpi-warehouse. Plain Python: nothing here imports Dagster."""
