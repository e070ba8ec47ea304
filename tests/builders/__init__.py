"""What tests build their inputs with, imported by name (fixtures live in tests/fixtures/):

files         export files of records (`rec`, `write_records`) and what a load left behind
warehouses    small warehouses from explicit records, loaded by the real ETL (`build`, `incident`),
              and `queries_reading(db)` to point the page queries at one
seed_reports  the Leshan seed report's records, which add up to its figures
demo          the pinned demo city the page and browser tests read (`TODAY`, `LOG_PERIOD`)
accounts      who a test acts as: users, stored accounts, signed-in clients and browsers
browser       the system's headless Chromium and when a page has settled
components    a Dash component tree's words and components of a kind
"""
