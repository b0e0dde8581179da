"""ASC X12 005010 reading and writing: delimiters, segments, envelopes, 270 and 271."""
