"""The test suite runs offline: a socket guard that refuses non-local connections and name lookups.

Installed by ``tests/conftest.py`` before collection; ``EA_ALLOW_NETWORK=1`` lifts it for a local
experiment. Tested by ``tests/unit/test_offline.py``.
"""

from __future__ import annotations

import os
import socket


class NetworkBlockedError(ConnectionRefusedError):
    """A test tried to reach a non-local host; the test suite runs offline."""


# The real functions, looked up through this dict so that a test can spy on them.
_REAL_SOCKET: dict = {}
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", ""}


def _is_local_host(host) -> bool:
    """True for loopback addresses (127.0.0.0/8, ::1) and the names of this machine's loopback."""
    import ipaddress

    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip().lower().split("%", 1)[0]
    if name in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a host name other than localhost: refuse without resolving it (no DNS query)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _refuse(what: str, host) -> NetworkBlockedError:
    return NetworkBlockedError(
        f"network access blocked during tests: {what} to {host!r} is not a local address; tests must run "
        "offline (use the shipped data in data/, or set EA_ALLOW_NETWORK=1 to lift the block on purpose)"
    )


def _guarded_connect(self, address, *args):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local_host(address[0]):
        raise _refuse("connect", address[0])
    return _REAL_SOCKET["connect"](self, address, *args)


def _guarded_connect_ex(self, address, *args):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local_host(address[0]):
        raise _refuse("connect_ex", address[0])
    return _REAL_SOCKET["connect_ex"](self, address, *args)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host is not None and not _is_local_host(host):
        raise _refuse("name lookup", host)
    return _REAL_SOCKET["getaddrinfo"](host, *args, **kwargs)


def install_network_block() -> None:
    """Refuse socket connections and name lookups for non-local hosts in this process.

    Loopback (127.0.0.0/8, ::1, localhost) and unix sockets still work: in-process servers and
    the Jupyter kernels that notebook tests start (in subprocesses, which this does not touch).
    """
    if _REAL_SOCKET or os.environ.get("EA_ALLOW_NETWORK") == "1":
        return
    _REAL_SOCKET.update(connect=socket.socket.connect, connect_ex=socket.socket.connect_ex,
                        getaddrinfo=socket.getaddrinfo)
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    socket.getaddrinfo = _guarded_getaddrinfo


def remove_network_block() -> None:
    """Undo :func:`install_network_block`."""
    if _REAL_SOCKET:
        socket.socket.connect = _REAL_SOCKET.pop("connect")
        socket.socket.connect_ex = _REAL_SOCKET.pop("connect_ex")
        socket.getaddrinfo = _REAL_SOCKET.pop("getaddrinfo")
