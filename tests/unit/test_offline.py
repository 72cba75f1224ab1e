"""The test suite runs offline: tests/netblock.py refuses connections to non-local hosts before they happen."""

from __future__ import annotations

import socket
import threading

import netblock
import pytest
from netblock import NetworkBlockedError


@pytest.fixture
def spies(monkeypatch):
    """Replace the real connect/getaddrinfo behind the block with recorders, so nothing leaves the machine."""
    calls = []
    for name in ("connect", "connect_ex", "getaddrinfo"):
        real = netblock._REAL_SOCKET[name]

        def spy(*args, _name=name, _real=real, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setitem(netblock._REAL_SOCKET, name, spy)
    return calls


def test_block_is_installed():
    assert socket.socket.connect is netblock._guarded_connect
    assert socket.getaddrinfo is netblock._guarded_getaddrinfo


@pytest.mark.parametrize("address", [("203.0.113.7", 80), ("8.8.8.8", 53), ("2001:db8::1", 443)])
def test_non_local_address_is_refused_before_connecting(address, spies):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkBlockedError, match="not a local address") as err:
            sock.connect(address)
        with pytest.raises(NetworkBlockedError):
            sock.connect_ex(address)
    assert "EA_ALLOW_NETWORK" in str(err.value)
    assert spies == [], "the real connect ran: the block must refuse first"


def test_host_names_are_refused_without_a_dns_query(spies):
    with pytest.raises(NetworkBlockedError, match="name lookup"):
        socket.create_connection(("example.com", 80), timeout=1)
    with pytest.raises(OSError):  # what libraries catch as "no network"
        socket.getaddrinfo("storage.googleapis.com", 443)
    assert spies == []


def _echo_server(family, host):
    server = socket.socket(family, socket.SOCK_STREAM)
    server.bind((host, 0))
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        with conn:
            conn.sendall(conn.recv(16))

    threading.Thread(target=serve, daemon=True).start()
    return server


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_localhost_still_works_in_process(host):
    family = socket.AF_INET6 if host == "::1" else socket.AF_INET
    bind_host = "127.0.0.1" if host == "localhost" else host
    try:
        server = _echo_server(family, bind_host)
    except OSError:
        pytest.skip(f"{bind_host} is not available on this machine")
    with server, socket.create_connection((host, server.getsockname()[1]), timeout=5) as client:
        client.sendall(b"ping")
        assert client.recv(16) == b"ping"


def test_unix_sockets_still_work():
    left, right = socket.socketpair(socket.AF_UNIX)
    with left, right:
        left.sendall(b"ok")
        assert right.recv(2) == b"ok"
