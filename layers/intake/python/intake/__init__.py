"""Domain library for infusion referral intake and insurance verification.

Shipped as a Lambda layer. Nothing here reads the environment at import time, and only the
modules under ``intake.adapters`` talk to AWS or the network.
"""
