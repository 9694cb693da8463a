"""Which addresses the fetcher may connect to: public unicast only, unless allowed otherwise.

The address checked is the address connected to: :func:`resolve_public` resolves a host once
and the fetcher connects to that very IP, so a DNS answer cannot change in between.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address

_NOT_PUBLIC_V4 = (
    IPv4Network("100.64.0.0/10"),  # carrier-grade NAT
    IPv4Network("192.0.0.0/24"),  # IETF protocol assignments
    IPv4Network("198.18.0.0/15"),  # benchmarking
)
_NAT64 = IPv6Network("64:ff9b::/96")
_METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


class FetchError(Exception):
    """A fetch that did not produce a response. ``kind`` says why, for link checks:
    ``scheme``, ``blocked``, ``no_such_host``, ``timeout``, ``connect``, ``redirects``,
    ``protocol``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _embedded_v4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """A globally routable unicast address: not loopback, private, link-local, CGNAT,
    multicast, reserved, unspecified, cloud metadata, nor an IPv6 form of any of those."""
    if ip in _METADATA:
        return False
    if isinstance(ip, IPv6Address):
        embedded = _embedded_v4(ip)
        if embedded is not None:
            return is_public(embedded)
    elif any(ip in net for net in _NOT_PUBLIC_V4):
        return False
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
    )


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError("no_such_host", f"no such host: {host}") from error
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError("no_such_host", f"no such host: {host}")
    return addresses


async def resolve_public(host: str, port: int, allow_private: bool) -> IPAddress:
    """The address to connect to for ``host``; :class:`FetchError` ``blocked`` when any of
    its addresses is not public (and private ones are not allowed)."""
    addresses = await resolve(host, port)
    if not allow_private:
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise FetchError(
                "blocked", f"{host} resolves to {refused[0]}, which is not a public address"
            )
    return addresses[0]
