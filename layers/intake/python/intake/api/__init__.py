"""The liaison task API (HTTP API + Powertools resolver), kept in the layer so its OpenAPI
document is generated from the same code that serves it."""
