"""Public HL7 v2 and FHIR messages from other projects, with hand-written expectations."""
