"""Raw HTTP helpers for the export timeout test (RELIABILITY F-5): a client that stalls before
reading, and a stand-in for a buffering reverse proxy (nginx with `proxy_buffering on`, its
default), which reads the upstream response as fast as the app writes it and feeds the client
at the client's pace."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field


def _read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def get_after_stall(port: int, path: str, headers: dict[str, str], stall: float) -> bytes:
    """GET `path`, read nothing for `stall` seconds (a client on a stalled link), then read
    the whole answer until the server closes. Returns the raw bytes (head and body)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(60)
    sock.connect(("127.0.0.1", port))
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    time.sleep(stall)
    parts = []
    try:
        while chunk := sock.recv(65536):
            parts.append(chunk)
    except ConnectionResetError:
        pass
    sock.close()
    return b"".join(parts)


def dechunk(raw: bytes) -> tuple[int, bytes, bool]:
    """(status, body, complete) of a raw HTTP/1.1 answer with a chunked body; `complete` is
    False when the stream was cut before its final zero-length chunk."""
    head, _sep, rest = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    body = []
    while True:
        size_line, sep, rest = rest.partition(b"\r\n")
        if not sep:
            return status, b"".join(body), False
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return status, b"".join(body), True
        if len(rest) < size + 2:
            return status, b"".join(body) + rest[:size], False
        body.append(rest[:size])
        rest = rest[size + 2 :]


@dataclass
class BufferingProxy:
    """Accepts connections on its own port; for each, sends the request upstream, reads the
    whole upstream answer into memory as fast as it comes, and writes it to the client as the
    client reads. `upstream_seconds` holds, per connection, how long the upstream took."""

    upstream_port: int
    port: int = 0
    upstream_seconds: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> BufferingProxy:
        self._spawn(self._accept)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)
        self._listener.close()

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _addr = self._listener.accept()
            except TimeoutError:
                continue
            self._spawn(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(60)
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60)
        upstream.sendall(_read_head(client))  # GET requests only: no body
        buffered: list[bytes] = []
        done = threading.Event()
        ready = threading.Condition()

        def read_upstream() -> None:
            started = time.monotonic()
            while chunk := upstream.recv(65536):
                with ready:
                    buffered.append(chunk)
                    ready.notify()
            self.upstream_seconds.append(time.monotonic() - started)
            upstream.close()
            with ready:
                done.set()
                ready.notify()

        self._spawn(read_upstream)
        sent = 0
        while True:
            with ready:
                while sent == len(buffered) and not done.is_set():
                    ready.wait(1)
                pending = buffered[sent:]
                finished = done.is_set()
            for chunk in pending:
                client.sendall(chunk)
            sent += len(pending)
            if finished and sent == len(buffered):
                break
        client.close()
