"""Raw requests of the serving tests: a request kept in flight, a refused connection."""

from __future__ import annotations

import json
import socket

TIMEOUT = 15.0
SYMBOL = "BTCUSD"  # trades around the clock: its quotes always move
BODY = json.dumps({"symbols": [SYMBOL]}).encode()


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT).close()
    except ConnectionRefusedError:
        return True
    return False


def start_slow_request(port: int) -> socket.socket:
    """A `POST /quotes` whose body is only half sent: in flight until the rest follows."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    head = (
        f"POST /api/v1/datafeed/quotes HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n"
    )
    connection.sendall(head.encode() + BODY[:5])
    return connection


def finish_slow_request(connection: socket.socket) -> tuple[str, bytes]:
    """Send the rest of the body; the status line and body (the server closes afterwards)."""
    connection.sendall(BODY[5:])
    answer = b""
    while chunk := connection.recv(65536):
        answer += chunk
    connection.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0].decode(), body
