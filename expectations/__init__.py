"""Great Expectations 1.x suites that guard the published marts, kept as code.

GX validates DataFrames of the slice a run built (GX cannot validate DuckDB through SQLAlchemy).
"""
