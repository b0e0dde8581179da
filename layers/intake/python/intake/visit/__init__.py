"""The nurse's first visit: the roster the pharmacy keeps, booking a visit, the visit record."""
