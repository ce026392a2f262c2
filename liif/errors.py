"""User-facing errors: each message says what is wrong and what to do."""


class LiifError(Exception):
    """Base class for errors whose message is meant for the user (CLI, API, demo)."""


class InputError(LiifError, ValueError):
    """An image, scale or size that cannot be processed."""


class SizeLimitError(InputError):
    """The requested output is larger than the configured megapixel limit."""


class CheckpointError(LiifError, ValueError):
    """A checkpoint that is missing, unreadable, or not a LIIF model."""
