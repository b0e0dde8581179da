"""Liaison tasks: opening, claiming and completing them, what their e-mail says, and how a
failed referral closes its open work."""
