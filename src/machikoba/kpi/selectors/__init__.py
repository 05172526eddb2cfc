"""Every read of the KPI dashboard, access and small-number suppression included."""
