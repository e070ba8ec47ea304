"""What tests build their inputs with, imported by name (fixtures live in tests/fixtures/):

files       export files of records (`rec`, `write_records`) and what a load left behind
warehouses  small warehouses from explicit records, loaded by the real ETL (`build`, `incident`)
demo        the pinned demo city the page and browser tests read (`TODAY`, `LOG_PERIOD`)
accounts    who a test acts as: users, stored accounts, signed-in clients and browsers
"""
