"""The liaison workspace: find a referral, open its documents, record who did either."""
