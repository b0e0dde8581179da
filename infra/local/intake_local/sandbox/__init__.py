"""Sandbox stand-ins for outside parties (clearinghouse, payers), run locally over real HTTP."""
