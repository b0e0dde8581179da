"""Prior authorization: the policy (is it needed), the packet, submission, waiting for the
decision, resolving it with a liaison, and re-authorization for a course."""
