"""The referring clinic kept informed (issue 25, item 3).

Timeline events become clinic milestones through one data table (``data/clinic_milestones.json``:
event kind → milestone, wording, FHIR Task status); a milestone is stored once per idempotency
key as a ``ClinicStatusRecord`` by the store's ``record`` path, and a scheduled sender delivers it
by the clinic's channel: a one-page fax, or a FHIR Task the clinic polls.
"""
