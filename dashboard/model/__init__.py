"""The dashboard's vocabulary, below the queries and above the warehouse.

What the queries, figures, components, pages and briefing all speak: the metrics
catalog (`catalog`), the filters and scope every query takes (`filters`), periods,
comparisons and time buckets (`periods`), the values a query returns (`values`)
and the judgements made on them — significance, Wilson intervals, targets
(`judgements`). Everything here is pure: no module runs SQL or reads the URL.
"""
