"""Where notifications for other channels than the inbox go.

``settings.NOTIFICATION_GATEWAY`` names the class. The default, :class:`OutboxGateway`, stores each
message as an ``OutboxMessage`` row for a real SMS or IM adapter (which a deployment provides) to
deliver later; :class:`LogGateway` only writes a log line, for development.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fanzha.core.pii.masking import scrub_text

logger = logging.getLogger("fanzha.jobs.gateways")


@dataclass(frozen=True)
class OutgoingMessage:
    channel: str  # "sms" or "im"
    recipient_id: int
    title: str
    text: str
    link: str = ""

    def render(self) -> str:
        """The message as one text, masked of ID, phone and card numbers."""
        parts = [f"【{self.title}】" if self.title else "", self.text]
        if self.link:
            parts.append(f" {self.link}")
        return scrub_text("".join(parts))


class NotificationGateway:
    """Interface: deliver (or hand over) one message. Must not raise for an undeliverable recipient."""

    def send(self, message: OutgoingMessage) -> None:
        raise NotImplementedError


class OutboxGateway(NotificationGateway):
    def send(self, message: OutgoingMessage) -> None:
        from fanzha.jobs.models import OutboxMessage

        OutboxMessage.objects.create(
            channel=message.channel, recipient_id=message.recipient_id, text=message.render()
        )


class LogGateway(NotificationGateway):
    def send(self, message: OutgoingMessage) -> None:
        logger.info(
            "notification",
            extra={
                "channel": message.channel,
                "recipient_id": message.recipient_id,
                "title": scrub_text(message.title),
            },
        )
