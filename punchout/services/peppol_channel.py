"""Order channel ``peppol``: the Peppol BIS Order 3 document written to
``PUNCHOUT_PEPPOL_OUTBOX``, where the organisation's Peppol access point takes it; and the same
document as an attachment of every e-mail order (DESIGN.md, Orders out).

The file is named by the order number (``TK-42.xml``) and written atomically: to a temporary
file in the same folder, flushed to disk, then renamed, so an access point polling the folder
never picks up half a document. A retry writes the same name again (the same order number and
content), which an access point that already took the file sees as a new delivery of the same
order: DESIGN.md's "at least once".
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from punchout.persistence.models import Direction, MessageOutcome, MessageProtocol
from punchout.persistence.orders import AttemptOutcome
from punchout.services import archive
from punchout.services.order_channels import (
    EMAIL_ATTACHMENTS,
    Attachment,
    ChannelContext,
    Delivery,
    register_channel,
)
from punchout.services.peppol_order import OrderDocument, order_document


def _document(ctx: ChannelContext) -> OrderDocument:
    return order_document(ctx.db, ctx.order.requisition, tz=ctx.gw.settings.tz)


def write_atomically(folder: Path, name: str, data: bytes) -> Path:
    """``folder/name`` with ``data``, never visible half-written."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        target = folder / name
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _peppol(ctx: ChannelContext) -> Delivery:
    order, gw = ctx.order, ctx.gw
    outbox = gw.settings.peppol_outbox
    if outbox is None:
        return Delivery(AttemptOutcome.FINAL, "PUNCHOUT_PEPPOL_OUTBOX is not set: nowhere to "
                                              "hand Peppol orders to the access point")
    document = _document(ctx)
    sent_id = archive.archive(
        gw.session_factory, direction=Direction.OUT, protocol=MessageProtocol.PEPPOL,
        kind="order", body=document.xml, organisation_id=order.organisation_id,
        content_type="application/xml", outcome=MessageOutcome.SENT,
        note=f"order {order.order_number} attempt {order.attempts + 1}"
        + (f"; the BIS misses: {'; '.join(document.problems)}" if document.problems else ""))
    try:
        target = write_atomically(Path(outbox), document.file_name, document.xml)
    except OSError as exc:
        return Delivery(AttemptOutcome.RETRY, f"cannot write to the Peppol outbox: {exc}",
                        sent_id)
    return Delivery(AttemptOutcome.DELIVERED, f"written to the Peppol outbox as {target.name}",
                    sent_id)


def _attachment(ctx: ChannelContext) -> Attachment | None:
    document = _document(ctx)
    return Attachment(document.file_name, "application/xml", document.xml)


register_channel("peppol", _peppol)
EMAIL_ATTACHMENTS.append(_attachment)
