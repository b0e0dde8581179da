"""Data files shipped with the layer (payer profiles, contracts, policies)."""
