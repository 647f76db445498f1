"""SendQueue overflow policy: drop the oldest update, never a control frame, keep FIFO order."""

from __future__ import annotations

import asyncio
import json

import pytest

from trading_api.ws import SendQueue

pytestmark = pytest.mark.anyio


def drain(queue: SendQueue) -> list[str]:
    frames = []
    while (frame := queue.get_nowait()) is not None:
        frames.append(frame)
    return frames


async def test_fifo_when_not_full() -> None:
    queue = SendQueue(4)
    queue.put_control("c1")
    queue.put_update("u1")
    queue.put_control("c2")
    queue.put_update("u2")
    assert drain(queue) == ["c1", "u1", "c2", "u2"]
    assert queue.dropped == 0


async def test_overflow_drops_oldest_updates_keeps_controls_and_notifies() -> None:
    queue = SendQueue(3)
    queue.put_control("response")
    for i in range(6):
        queue.put_update(f"u{i}")
    queue.put_control("pong")
    assert queue.pending_updates == 3
    assert queue.dropped == 3
    frames = drain(queue)
    notice = json.loads(frames[1])
    assert frames[0] == "response"
    assert notice["type"] == "error"
    assert notice["payload"]["code"] == "updates_dropped"
    assert notice["payload"]["message"].startswith("3 update(s) dropped")
    assert frames[2:] == ["u3", "u4", "u5", "pong"]


async def test_one_notice_per_burst_and_counts_reset() -> None:
    queue = SendQueue(1)
    for i in range(5):
        queue.put_update(f"u{i}")
    assert len(queue) == 2  # the single pending notice + the newest update
    first = drain(queue)
    assert "4 update(s) dropped" in first[0] and first[1] == "u4"
    queue.put_update("a")
    queue.put_update("b")
    second = drain(queue)
    assert "1 update(s) dropped" in second[0] and second[1] == "b"
    assert queue.dropped == 5


async def test_oldest_update_behind_controls_is_dropped() -> None:
    queue = SendQueue(2)
    queue.put_update("u0")
    queue.put_control("c0")
    queue.put_update("u1")
    queue.put_control("c1")
    queue.put_update("u2")  # drops u0, not a control frame
    frames = drain(queue)
    assert frames[:3] == ["c0", "u1", "c1"]
    assert json.loads(frames[3])["payload"]["code"] == "updates_dropped"
    assert frames[4:] == ["u2"]


async def test_get_waits_for_a_frame() -> None:
    queue = SendQueue(2)
    getter = asyncio.create_task(queue.get())
    await asyncio.sleep(0)  # one scheduling step so the getter blocks on the empty queue
    assert not getter.done()
    queue.put_update("u")
    assert await asyncio.wait_for(getter, 1) == "u"


async def test_wait_writable_throttles_reader_until_controls_drain() -> None:
    queue = SendQueue(8, control_limit=2)
    queue.put_control("c1")
    await asyncio.wait_for(queue.wait_writable(), 1)  # below the limit: returns at once
    queue.put_control("c2")
    waiter = asyncio.create_task(queue.wait_writable())
    await asyncio.sleep(0)  # one scheduling step: the waiter must now be blocked
    assert not waiter.done()
    assert queue.get_nowait() == "c1"
    await asyncio.wait_for(waiter, 1)


def test_invalid_sizes() -> None:
    with pytest.raises(ValueError):
        SendQueue(0)
    with pytest.raises(ValueError):
        SendQueue(1, control_limit=0)
