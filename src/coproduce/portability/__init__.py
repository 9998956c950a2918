"""Moving a time bank in and out: members and opening balances imported from a spreadsheet or
another time-bank system (CSV), and members and transfers exported (CSV or JSON).

A product app above the domain apps. Its one model, `ExternalRecord`, remembers which person or
listing came from which record of another system, so importing again finds them instead of
making them twice. Everything else is written only through the domain apps' services
(`ledger.services.transfer_post` for every credit). An import checks every row first and writes
nothing unless every row is good (`coproduce import …`, `coproduce export …` in `commands.py`;
`timeoverflow/` moves a whole TimeOverflow bank in).
"""
