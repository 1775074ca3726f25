"""The service-level report: one self-contained HTML file per period, from the published marts."""
