"""Logging filters. Feedback is anonymous, so logs must never carry what would undo that."""

import logging


class ScrubRequestFilter(logging.Filter):
    """Drop the request object Django attaches to its log records.

    Handlers that format it (error mails, error trackers) would write out the body, which can
    hold a comment, and REMOTE_ADDR, which can identify its author.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        return True
