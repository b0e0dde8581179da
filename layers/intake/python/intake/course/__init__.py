"""Ongoing therapy: the dose calendar, the check before each dose, the sweep that starts them.

``calendar`` (pure) turns a referral and its first infusion date into dose records and moves,
holds or ends them; ``sweep`` starts one check workflow per due dose; ``dose_check`` holds the
check's steps (re-verify, authorization, check-in call, clear or hold).
"""
