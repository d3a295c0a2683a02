"""A fault-injecting HTTP proxy on loopback: what a venue's Wi-Fi or a phone hotspot does to requests.

It sits between kiosks and the ward server and, for each request, picks a fault at random: drop
the connection before or after the request reached the server, reset it (RST), hold the answer
beyond the client's timeout, cut the answer short, answer 500 (after the server stored the batch)
or 503 (before), or deliver the request to the server twice. It understands just enough HTTP/1.1
to find where each request and answer ends (headers, then ``Content-Length`` bytes), so faults hit
single requests on a kept-alive connection, as real ones do. Each request goes to the server on a
fresh connection; a server that is down looks like a dropped connection.
"""
import random
import socket
import struct
import threading
from collections import Counter

FAULTS = ("pass", "drop_before", "drop_after", "reset_before", "reset_after", "delay", "truncate",
          "status_500", "status_503", "replay")
HEAD_LIMIT = 64 * 1024


class Closed(Exception):
    """The other side closed the connection."""


def _read_message(sock: socket.socket, buffer: bytearray, has_body: bool = True) -> bytes:
    """One HTTP message (head and ``Content-Length`` body) from ``sock``, with leftovers kept in ``buffer``."""
    while b"\r\n\r\n" not in buffer:
        if len(buffer) > HEAD_LIMIT:
            raise Closed("header too long")
        chunk = sock.recv(65536)
        if not chunk:
            raise Closed("closed before a full head")
        buffer += chunk
    head_end = buffer.index(b"\r\n\r\n") + 4
    length = 0
    for line in bytes(buffer[:head_end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    total = head_end + (length if has_body else 0)
    while len(buffer) < total:
        chunk = sock.recv(65536)
        if not chunk:
            raise Closed("closed before a full body")
        buffer += chunk
    message = bytes(buffer[:total])
    del buffer[:total]
    return message


def _reset(sock: socket.socket) -> None:
    """Close with an RST instead of a FIN, as a NAT box or a dying access point does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class FaultProxy:
    """Listens on 127.0.0.1 and forwards to ``upstream_port``, breaking requests with ``fault_rate``.

    ``delay_s`` must exceed the clients' timeout for a delay to count as one. ``counts`` tells how
    often each fault was used; ``requests`` how many requests arrived.
    """

    def __init__(self, upstream_port: int, fault_rate: float = 0.5, delay_s: float = 2.0, seed: int = 1) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.fault_rate = fault_rate
        self.delay_s = delay_s
        self.counts: Counter[str] = Counter()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)  # so the accept loop sees stop() soon
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._clients: set[socket.socket] = set()

    @property
    def requests(self) -> int:
        return sum(self.counts.values())

    def start(self) -> "FaultProxy":
        thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._listener.close()
        with self._lock:
            for client in self._clients:
                try:
                    client.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for thread in self._threads:
            thread.join(self.delay_s + 5)

    def _choose(self) -> str:
        with self._lock:
            fault = self._random.choice(FAULTS[1:]) if self._random.random() < self.fault_rate else "pass"
            self.counts[fault] += 1
            return fault

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _exchange(self, request: bytes) -> bytes:
        """Deliver ``request`` to the server on a new connection; its whole answer."""
        with socket.create_connection(self.upstream, timeout=30) as upstream:
            upstream.sendall(request)
            return _read_message(upstream, bytearray(), has_body=not request.startswith(b"HEAD "))

    def _serve(self, client: socket.socket) -> None:
        buffer = bytearray()
        client.settimeout(60)
        with self._lock:
            self._clients.add(client)
        try:
            while not self._stopping.is_set():
                request = _read_message(client, buffer)
                if not self._handle(client, request, self._choose()):
                    return
        except (Closed, OSError, ValueError):
            pass
        finally:
            with self._lock:
                self._clients.discard(client)
            try:
                client.close()
            except OSError:
                pass

    def _handle(self, client: socket.socket, request: bytes, fault: str) -> bool:
        """Play ``fault`` on one request; False when the client connection is finished."""
        if fault == "drop_before":
            return False
        if fault == "reset_before":
            _reset(client)
            return False
        if fault == "status_503":
            client.sendall(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            return False
        answer = self._exchange(request)
        if fault == "replay":
            answer = self._exchange(request)
        if fault == "drop_after":
            return False
        if fault == "reset_after":
            _reset(client)
            return False
        if fault == "status_500":
            client.sendall(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            return False
        if fault == "truncate":
            client.sendall(answer[: max(1, len(answer) // 2)])
            return False
        if fault == "delay":
            if self._stopping.wait(self.delay_s):
                return False
        client.sendall(answer)
        return True
