"""The DuckDB warehouse: schema, the one module that opens connections, marts.

Only the ETL writes, and it never writes the published file in place: a load
copies the warehouse, commits into the copy and swaps it in atomically, so
readers keep answering from the previous version and a crash leaves it whole.
`python -m warehouse replicate SOURCE DEST` puts a published version onto a web
node the same way (warehouse.replicate).
"""
