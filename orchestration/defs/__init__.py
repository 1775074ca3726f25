"""Definitions by domain: ingestion, dbt, and the jobs and schedules that run them."""
