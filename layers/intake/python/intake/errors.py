"""Domain errors. The API maps each class to one HTTP status in one place."""


class IntakeError(Exception):
    """Base class: a request the domain refuses, with a message fit for the caller."""


class NotFound(IntakeError):
    pass


class Conflict(IntakeError):
    """The request contradicts the current state (already completed, claimed by another)."""


class InvalidRequest(IntakeError):
    pass
