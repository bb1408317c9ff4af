"""Errors whose messages are fit to show a user; services raise them, handlers flash them."""


class DelphiError(Exception):
    """A rule of the product refused an action; ``str(error)`` tells the user what to do."""


class NotFound(DelphiError):
    """The thing asked for does not exist (or the user may not know that it does)."""


class Forbidden(DelphiError):
    """The user is signed in but may not do this."""


class ValidationError(DelphiError):
    """Input was well-formed but breaks a rule (a value off the scale, a duplicate name)."""


class StateError(DelphiError):
    """The object is in a state that does not allow this action (a closed round, say)."""


class RoundStateError(StateError):
    """A round was asked to make a move its state machine does not allow."""


class AuthenticationError(DelphiError):
    """Sign-in failed: wrong e-mail or password, or the account is locked."""
