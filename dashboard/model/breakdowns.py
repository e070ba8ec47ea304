"""How the pages' breakdowns are cut, where the query that cuts them and the figure or page
that draws them both need to know."""
from __future__ import annotations

from warehouse.record_types import SURVEYS

# Upper edges (hours) of the mediation time-to-close bins; the last bin is open-ended.
CLOSE_BIN_EDGES = (0.5, 1, 2, 4, 8, 24, 48)
OTHER = "__other__"            # key of the survey origins beyond the top ones, pooled
KEYWORD_MIN_COMMENTS = 10      # fewer survey comments than this are read, not counted
REST = "#rest"                 # key of a parent unit's own records beside its children's
# The survey's five questions, and each one's header in the data contract.
QUESTIONS = ("q_safety", "q_satisfaction", "q_visibility", "q_efficiency", "q_attitude")
QUESTION_LABELS = {c.name: c.zh for c in SURVEYS.columns if c.name in QUESTIONS}
