"""Tests talk to loopback only: resolving or connecting to any other host is refused and noted.

`install()` wraps `socket.getaddrinfo`, `gethostbyname(_ex)` and `socket.socket.connect(_ex)`
(which asyncio, aiohttp, asyncpg, requests and urllib3 all end up calling). An attempt on a
host that is not loopback (127.0.0.0/8, ::1, `localhost`) raises `OutsideTraffic`, an
`OSError` like the machine's missing network would, and is appended to the file named by
`COPBOT_TEST_OUTSIDE_LOG`: the suite's conftest fails the test that made it, with the host named.
Child processes (`copbot serve`, `copbot chat`) load the same guard through this folder's
`sitecustomize.py` when it is on their PYTHONPATH, and write to the same file.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

LOG_VARIABLE = "COPBOT_TEST_OUTSIDE_LOG"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})


class OutsideTraffic(OSError):
    """A test tried to reach a host that is not loopback."""


def is_loopback_host(host: object) -> bool:
    if host is None or host == "" or host == b"":
        return True  # a passive bind or the local host itself
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback


def _bindable(host: object) -> bool:
    """Unspecified addresses (0.0.0.0, ::) name no host: a server may resolve them to bind."""
    try:
        return ipaddress.ip_address(str(host)).is_unspecified
    except ValueError:
        return False


def _refuse(what: str, host: object) -> OutsideTraffic:
    line = f"{what} {host!r} (pid {os.getpid()})"
    path = os.environ.get(LOG_VARIABLE)
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{line}\n\x1e\n")
    return OutsideTraffic(f"tests talk to loopback only: {line}")


_real: dict[str, Any] = {}


def install() -> None:
    if _real:
        return
    _real.update(
        getaddrinfo=socket.getaddrinfo,
        gethostbyname=socket.gethostbyname,
        gethostbyname_ex=socket.gethostbyname_ex,
        connect=socket.socket.connect,
        connect_ex=socket.socket.connect_ex,
    )

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not (is_loopback_host(host) or _bindable(host)):
            raise _refuse("resolve", host)
        return _real["getaddrinfo"](host, *args, **kwargs)

    def gethostbyname(host: Any) -> Any:
        if not is_loopback_host(host):
            raise _refuse("resolve", host)
        return _real["gethostbyname"](host)

    def gethostbyname_ex(host: Any) -> Any:
        if not is_loopback_host(host):
            raise _refuse("resolve", host)
        return _real["gethostbyname_ex"](host)

    def _check(sock: socket.socket, address: Any) -> None:
        inet = sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple)
        if inet and not is_loopback_host(address[0]):
            raise _refuse("connect to", address[0])

    def connect(self: socket.socket, address: Any) -> None:
        _check(self, address)
        return _real["connect"](self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check(self, address)
        return _real["connect_ex"](self, address)

    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
    socket.gethostbyname_ex = gethostbyname_ex
    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]


def uninstall() -> None:
    if not _real:
        return
    socket.getaddrinfo = _real["getaddrinfo"]
    socket.gethostbyname = _real["gethostbyname"]
    socket.gethostbyname_ex = _real["gethostbyname_ex"]
    socket.socket.connect = _real["connect"]  # type: ignore[method-assign]
    socket.socket.connect_ex = _real["connect_ex"]  # type: ignore[method-assign]
    _real.clear()


def attempts(path: str) -> list[str]:
    """What the file at `path` recorded, one entry per attempt."""
    try:
        with open(path, encoding="utf-8") as log:
            text = log.read()
    except FileNotFoundError:
        return []
    return [entry.strip() for entry in text.split("\x1e") if entry.strip()]
