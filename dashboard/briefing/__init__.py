"""The weekly briefing (周报): figures composed from the metrics catalog, worded, rendered.

`compose` (view + scope → `Briefing`, all figures via the queries layer),
`text` (Briefing → `Document` in Chinese or English), and three renderers of
that one Document: `html` (the print view, and the PDF's source), `pdf`
(Chromium's print) and `docx` (python-docx). `routes` serves the downloads;
`dashboard/pages/briefing.py` shows the same Document in the dashboard.
"""

DEFAULT_PERIOD = "last_week"    # the last complete week
