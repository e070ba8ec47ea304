"""Exports: charts as PNG/SVG/PDF in publication presets, page packs as zip, tables as CSV/XLSX.

`presets` holds the three media sizes; `context` what an export says about
itself (filters, source line, as-of, demo); `frame` puts a chart into its
publication frame; `renderer` keeps one headless Chromium (kaleido v1)
running to draw frames; `registry` is where pages declare their charts and
tables, each with the builder the page itself uses, so an export is rebuilt
on the server from the view in the URL and never taken from the browser;
`charts` and `tables` turn a view into files (`files`: the file and error
types); `record.exported` is the one call every download passes through;
`routes` serves them under /download/.
"""
