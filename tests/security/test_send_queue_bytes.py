"""The per-connection send queue is bounded in bytes as well as in frames (docs/limits.md)."""

from __future__ import annotations

import asyncio
import json

import pytest

from trading_api.ws import SendQueue

pytestmark = pytest.mark.anyio


def _drain(queue: SendQueue) -> list[str]:
    frames = []
    while (frame := queue.get_nowait()) is not None:
        frames.append(frame)
    return frames


async def test_updates_beyond_the_byte_bound_drop_the_oldest_with_one_notice() -> None:
    queue = SendQueue(100, max_bytes=10)
    for frame in ("aaaa", "bbbb", "cccc", "ddd"):
        queue.put_update(frame)
    assert queue.pending_updates == 2 and queue.dropped == 2
    assert queue.pending_bytes == len("cccc") + len("ddd")
    notice, *updates = _drain(queue)
    assert json.loads(notice)["payload"]["code"] == "updates_dropped"
    assert "2 update(s) dropped" in json.loads(notice)["payload"]["message"]
    assert updates == ["cccc", "ddd"]
    assert queue.pending_bytes == 0


async def test_one_update_larger_than_the_bound_is_still_sent_alone() -> None:
    queue = SendQueue(100, max_bytes=4)
    queue.put_update("small")
    queue.put_update("x" * 10)
    assert _drain(queue)[1:] == ["x" * 10]


async def test_the_reader_pauses_while_control_frames_exceed_the_byte_bound() -> None:
    queue = SendQueue(100, max_bytes=8)
    queue.put_control("12345678")
    waiting = asyncio.ensure_future(queue.wait_writable())
    await asyncio.sleep(0)  # let it start waiting
    assert not waiting.done()
    assert queue.get_nowait() == "12345678"
    await asyncio.wait_for(waiting, 1)
