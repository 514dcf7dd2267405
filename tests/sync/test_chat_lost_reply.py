"""A chat send whose reply is lost (Ozon applied it, the answer never came): the buyer gets it once."""

from __future__ import annotations

from app.chat import compose
from app.context import AppContext
from sync.emulator import Emulator, Fault
from sync.engine import SyncEngine
from tests.sync.test_chat_flow import SEND, _buyer_writes, sends
from tests.sync.test_engine import drain


def test_a_text_whose_reply_was_lost_reaches_the_buyer_once(engine: SyncEngine, emu: Emulator, ctx: AppContext) -> None:
    chat = _buyer_writes(engine, emu, ctx, "Где мой заказ?")
    emu.add_fault(Fault("lost_reply", path=SEND, times=1))
    compose.send_text(ctx.db, emu, chat.chat_id, "Заказ уже в пути.", bus=ctx.bus)
    drain(engine, emu, ctx)
    assert len(sends(emu, chat.chat_id)) == 1


def test_a_photo_whose_reply_was_lost_reaches_the_buyer_once(
    engine: SyncEngine, emu: Emulator, ctx: AppContext
) -> None:
    from tests.app.test_attachments import encoded

    chat = _buyer_writes(engine, emu, ctx, "Пришлите фото упаковки")
    emu.add_fault(Fault("lost_reply", path="/v1/chat/send/file", times=1))
    compose.send_image(ctx.db, emu, chat.chat_id, "box.png", encoded("PNG", (32, 24)), bus=ctx.bus)
    compose.send_image(ctx.db, emu, chat.chat_id, "box.png", encoded("PNG", (40, 30)), bus=ctx.bus)
    drain(engine, emu, ctx)
    files = sends(emu, chat.chat_id, "/v1/chat/send/file")
    # Each photo once: the one whose answer was lost is found in the history, the other one (same
    # name on the seller's disk) is not taken for it.
    assert len(files) == 2
    assert len({f["request"]["name"] for f in files}) == 2
