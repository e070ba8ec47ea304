"""Reusable layout pieces: filter bar, page frame, KPI cards, graphs, grids."""
