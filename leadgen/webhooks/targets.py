"""Where a webhook may point: addresses on the internet, never the server's own network.

A staff member types the URL and the worker POSTs to it from inside the clinic's network, so
without this check a webhook could reach the database, Redis or the cloud's metadata service.
The host is checked when the webhook is added and again, after DNS, at every delivery; the
delivery then connects to the very addresses checked here, so a name cannot be re-pointed
(DNS rebinding) between the check and the connection. WEBHOOK_ALLOW_PRIVATE lifts the check.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}

# What to call an address that is not on the internet, checked in this order.
NON_PUBLIC_KINDS = (
    ("is_unspecified", "an unspecified address"),
    ("is_loopback", "a loopback address"),
    ("is_link_local", "a link-local address"),
    ("is_multicast", "a multicast address"),
    ("is_reserved", "a reserved address"),
    ("is_private", "a private address"),
    ("is_site_local", "a site-local address"),
)


class TargetRefused(ValueError):
    """A webhook address on the server's own network, with the reason for staff."""


def non_public_kind(address: IPAddress) -> str | None:
    """What kind of non-internet address this is ("a loopback address"...), or None when public.

    An IPv6 address that carries an IPv4 one (::ffff:127.0.0.1, or 6to4's 2002:7f00:1::)
    reaches that IPv4 address, so the IPv4 address is what is judged.
    """
    if isinstance(address, ipaddress.IPv6Address) and (embedded := address.ipv4_mapped or address.sixtofour):
        return non_public_kind(embedded)
    kind = next((words for attribute, words in NON_PUBLIC_KINDS if getattr(address, attribute, False)), None)
    return kind or (None if address.is_global else "not a public address")


def is_local_name(host: str) -> bool:
    """localhost and every name under it (RFC 6761), whatever the resolver says."""
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def resolve(host: str, port: int) -> list[str]:
    """Every address of the host, in the resolver's order.

    Raises OSError (socket.gaierror) when the name does not resolve, UnicodeError when it
    cannot even be asked (a label longer than DNS allows). Numeric spellings
    (2130706433, 0x7f000001, 017700000001) resolve as the socket would read them.
    """
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(sockaddr[0] for _, _, _, _, sockaddr in found))


def refusal(host: str, addresses: list[str]) -> str | None:
    """Why a webhook may not go to `host` resolved to `addresses`, or None when it may."""
    if is_local_name(host):
        return f"{host} is this server itself (a loopback name)"
    for text in addresses:
        address = ipaddress.ip_address(text)
        if kind := non_public_kind(address):
            named = host if host == str(address) else f"{host} ({address})"
            return f"{named} is {kind}"
    return None


def checked_addresses(host: str, port: int, allow_private: bool) -> list[str]:
    """The addresses a delivery may connect to: every one the host resolves to, all checked.

    Raises TargetRefused when any of them is on the server's own network (unless
    `allow_private`), and OSError when the name does not resolve.
    """
    addresses = resolve(host, port)
    if not allow_private and (reason := refusal(host, addresses)):
        raise TargetRefused(reason)
    return addresses


def check_new_target(host: str, port: int, allow_private: bool) -> None:
    """Refuse (TargetRefused) a new webhook's host that is, or resolves to, a non-internet address.

    A name that does not resolve yet is accepted: the CRM's DNS may come later, and every
    delivery checks again.
    """
    if allow_private:
        return
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):  # no such name (yet), or one no resolver could look up
        addresses = []
    if reason := refusal(host, addresses):
        raise TargetRefused(reason)


def host_and_port(url: str) -> tuple[str, int]:
    """The host and port of an http(s) URL (80 or 443 by default); ValueError for a port outside 1-65535."""
    parts = urlsplit(url)
    if parts.port == 0:
        raise ValueError("port 0 is no port")
    port = DEFAULT_PORTS.get(parts.scheme, 80) if parts.port is None else parts.port
    return parts.hostname or "", port
