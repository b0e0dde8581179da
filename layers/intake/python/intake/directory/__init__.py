"""The payer directory the pharmacy maintains (issue 26): payers, plans, contracts, prior
authorization policies and where requests go, imported from CSV files as versions, resolved by
id, name or alias. See docs/directory.md.

Nothing is imported here: a handler imports the module it needs (``service``, ``resolve``).
"""
