"""The case records' database (PostgreSQL): its tables, and the sealing of personal columns and search tokens.

The records service writes the cases (and owns the migrations); intake reads them and writes the access log.
"""
