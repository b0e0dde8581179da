"""The referral workflow's bookkeeping steps, invoked by the state machine."""
