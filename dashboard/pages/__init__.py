"""The pages Dash registers (`use_pages`; it skips this file). A package, so that the import
contracts (.importlinter) see the pages as the top layer of the dashboard."""
