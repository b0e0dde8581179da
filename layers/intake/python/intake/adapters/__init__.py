"""Adapters: the only modules that talk to AWS. Each creates its boto3 client lazily."""
