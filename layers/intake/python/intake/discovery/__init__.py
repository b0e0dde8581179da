"""Insurance discovery: a referral without coverage, or whose payer cannot find the member,
asks the likely payers by the patient's name, date of birth, gender and address (no member id)
under a budget of paid inquiries; a coverage found waits for the patient's confirmation.

Modules: ``ports`` (the payer list and the MBI lookup it depends on), ``rules`` (what each AAA
code means, the search options, the MBI format: ``intake/data/discovery.json``), ``profiles``
(today's payer list, from ``payer_profiles.json``), ``service`` (the search)."""
