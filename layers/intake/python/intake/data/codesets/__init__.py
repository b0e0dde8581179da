"""Vendored code sets (ICD-10-CM, HCPCS Level II) with their manifest; see manifest.json."""
