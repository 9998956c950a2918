"""Moving a time bank in and out: members and opening balances imported from a spreadsheet or
another time-bank system (CSV), and members and transfers exported (CSV or JSON).

Not a Django app: it has no models. It sits above the domain apps, like `cli` and `demo`, and
writes only through their services (`ledger.services.transfer_post` for every credit). An import
checks every row first and writes nothing unless every row is good (`coproduce import …`,
`coproduce export …` in `cli.py`).
"""
