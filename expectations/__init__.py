"""Great Expectations suites that guard the marts. Empty until the quality-gate work lands;
the dbt tests on staging models run with every build meanwhile."""
