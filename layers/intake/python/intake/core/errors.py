"""Domain errors. The API maps each class to one HTTP status in one place."""


class IntakeError(Exception):
    """Base class: a request the domain refuses, with a message fit for the caller."""


class NotFound(IntakeError):
    pass


class Conflict(IntakeError):
    """The request contradicts the current state (already completed, claimed by another)."""


class InvalidRequest(IntakeError):
    pass


class InvalidCorrections(InvalidRequest):
    """Corrections that name no referral field or reach past a list (422)."""


class TooLarge(IntakeError):
    """A request body past the documented maximum (413)."""
