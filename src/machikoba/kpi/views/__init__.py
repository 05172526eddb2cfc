"""The KPI dashboard's views, one module per topic."""
