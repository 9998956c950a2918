"""Moving a whole Coproduce time bank from one installation to another: `tables.py` says which
files a ZIP holds and their columns (read from the models), `cells.py` turns a value into a cell
and back, `export.py` writes the ZIP and its manifest, `read.py` checks every file and cell
before anything is written, `import_.py` writes the bank back in one transaction (every
transfer posted again through the ledger), and `commands.py` is the command line.
"""
