"""The care team's clinical work: the pharmacist's initial assessment (model, rule table,
decisions, versions, and what it changes on the referral)."""
