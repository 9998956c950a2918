"""Moving a TimeOverflow time bank into Coproduce: its manager reports ("Download all" ZIP or
the four CSV files), read exactly as TimeOverflow writes them (coopdevs/timeoverflow,
`app/services/report/csv/base.rb` and `app/decorators/report/*.rb`), become members, offers,
requests and the bank's history of exchanges, with every balance exact.

`rubycsv.py` reads Ruby's CSV (keeping a quoted empty string apart from an empty field),
`reports.py` parses each report into rows and problems, `files.py` reads the ZIPs and CSVs
given and tells the reports apart, `categories.py` maps TimeOverflow's categories onto
Coproduce's, and `importer.py` checks everything and writes it in one transaction.
"""
