"""How the pages' breakdowns are cut, where the query that cuts them and the figure or page
that draws them both need to know."""
from __future__ import annotations

# Upper edges (hours) of the mediation time-to-close bins; the last bin is open-ended.
CLOSE_BIN_EDGES = (0.5, 1, 2, 4, 8, 24, 48)
OTHER = "__other__"            # key of the survey origins beyond the top ones, pooled
KEYWORD_MIN_COMMENTS = 10      # fewer survey comments than this are read, not counted
REST = "#rest"                 # key of a parent unit's own records beside its children's
