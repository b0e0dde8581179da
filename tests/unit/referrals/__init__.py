"""Referral intake formats: detection, parsing, review rules, bad inputs."""
