"""Reference data below every capability that reads it: payer profiles and the pharmacy's
contracts (the files live in ``intake/data``)."""
