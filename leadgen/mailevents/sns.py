"""Amazon SNS message signatures: the canonical string, the certificate, the check.

AWS documents it ("Verifying the signatures of Amazon SNS messages"): SignatureVersion 1 is
SHA1withRSA, 2 is SHA256withRSA, over "Name\\nValue\\n" for a fixed list of fields in byte
order, with the public key of the certificate at SigningCertURL. That URL must be https on a
host of MAIL_EVENTS_SNS_CERT_HOSTS, or anyone could sign with their own certificate.
"""

import base64
import binascii
import fnmatch
import ssl
import urllib.request
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .reports import Refused

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

# SignatureVersion -> the name of its hash in cryptography.hazmat.primitives.hashes.
HASHES = {"1": "SHA1", "2": "SHA256"}
NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
FETCH_TIMEOUT_SECONDS = 5
CERTIFICATE_MAX_BYTES = 64 * 1024


def canonical_string(message: dict) -> bytes:
    """The bytes SNS signed: each present field of the type's list as "Name\\nValue\\n"."""
    names = NOTIFICATION_FIELDS if message.get("Type") == "Notification" else CONFIRMATION_FIELDS
    parts = []
    for name in names:
        value = message.get(name)
        if name == "Subject" and value is None:
            continue  # the one optional field: left out when absent
        if not isinstance(value, str):
            raise Refused(f"{name} missing from the signed fields")
        parts.append(f"{name}\n{value}\n")
    return "".join(parts).encode()


def allowed_url(url: object, patterns: list[str]) -> bool:
    """An https URL whose host matches one of the patterns ("sns.*.amazonaws.com")."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    return parts.scheme == "https" and any(fnmatch.fnmatchcase(host, pattern.lower()) for pattern in patterns)


def fetch(url: str) -> bytes:
    """GET an https URL with the system's certificate check (a redirect elsewhere is followed
    only over https, as urllib does; the host was checked before)."""
    context = ssl.create_default_context()
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS, context=context) as response:  # noqa: S310
        return response.read(CERTIFICATE_MAX_BYTES)


@lru_cache(maxsize=16)
def signing_key(url: str) -> "RSAPublicKey":
    """The RSA key of the certificate at `url`, fetched once per process (AWS advises caching)."""
    # cryptography is imported where a signature is checked, not at the top: loading its
    # compiled core costs every CLI command tens of milliseconds at start-up (bench/startup).
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = x509.load_pem_x509_certificate(fetch(url)).public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the signing certificate does not hold an RSA key")
    return key


def verify(message: dict, cert_hosts: list[str]) -> None:
    """Refused unless `message` carries a valid SNS signature from an allowed certificate host."""
    from cryptography.exceptions import InvalidSignature  # here for start-up time: see signing_key
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    hash_name = HASHES.get(message.get("SignatureVersion"))
    if hash_name is None:
        raise Refused("unknown SignatureVersion")
    url = message.get("SigningCertURL")
    if not allowed_url(url, cert_hosts):
        raise Refused(f"SigningCertURL not on an allowed https host: {url!r}")
    try:
        signature = base64.b64decode(message.get("Signature") or "", validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise Refused("Signature is not base64") from None
    data = canonical_string(message)
    try:
        key = signing_key(url)
    except (OSError, ValueError) as error:
        raise Refused(f"could not load the signing certificate: {error!r}") from None
    try:
        key.verify(signature, data, padding.PKCS1v15(), getattr(hashes, hash_name)())
    except InvalidSignature:
        raise Refused("wrong signature") from None
