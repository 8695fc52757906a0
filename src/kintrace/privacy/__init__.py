"""Data protection duties (issue 6): moving sealed data to a new key, disposal with
crypto-shredding, subject access export, transfers to other organisations.

Sits above `disclosure` in the import order (it may use every stage, nothing imports it
but the adapters)."""
