"""Amazon SES notifications through SNS at /hooks/mail/ses: the SNS signature (versions 1 and 2)
checked with a certificate fetched over real HTTPS from an allowed host, a served
self-signed one here, and each MessageId applied once."""

import base64
import datetime
import ipaddress
import json
import os
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from leadgen.mailevents.sns import canonical_string

from .helpers import add_lead, row_counts
from .test_mail_events import lead_row
from .test_mail_events_postmark_mailgun import fixture

CERT_PATH = "/SimpleNotificationService-test.pem"
SUBSCRIBE_PATH = "/?Action=ConfirmSubscription&Token=abc"


def self_signed(key: rsa.RSAPrivateKey, name: str) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )


class FakeSNS:
    """An HTTPS server on 127.0.0.1 serving the signing certificate and recording what was fetched."""

    def __init__(self, directory: Path):
        self.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signing_pem = self_signed(self.signing_key, "sns.test").public_bytes(serialization.Encoding.PEM)
        tls_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.tls_cert_file = directory / "tls.pem"
        key_file = directory / "tls.key"
        self.tls_cert_file.write_bytes(self_signed(tls_key, "127.0.0.1").public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            tls_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        self.fetched: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake.fetched.append(self.path)
                body = fake.signing_pem if self.path == CERT_PATH else b"<ConfirmSubscriptionResponse/>"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.tls_cert_file, key_file)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.base = f"https://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def sign(self, message: dict, version: str = "1") -> dict:
        """Fill in SignatureVersion, SigningCertURL and Signature as SNS does."""
        message = {**message, "SignatureVersion": version, "SigningCertURL": self.base + CERT_PATH}
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = self.signing_key.sign(canonical_string(message), padding.PKCS1v15(), algorithm)
        return {**message, "Signature": base64.b64encode(signature).decode()}


@pytest.fixture(scope="module")
def fake_sns(tmp_path_factory):
    fake = FakeSNS(tmp_path_factory.mktemp("sns"))
    fake.thread.start()
    # The app fetches with the system's certificate check; here the system trusts our test server.
    old = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(fake.tls_cert_file)
    yield fake
    if old is None:
        os.environ.pop("SSL_CERT_FILE")
    else:
        os.environ["SSL_CERT_FILE"] = old
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def hooked(clinic, fake_sns):
    fake_sns.fetched.clear()
    app = clinic(MAIL_EVENTS_SNS_CERT_HOSTS=["127.0.0.1"])
    for email in ("jane@example.com", "richard@example.com"):
        add_lead(app, email, consent=True)
    return app


def notification(ses_fixture: str, message_id: str = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324") -> dict:
    """SNS's documented Notification envelope carrying SES's documented notification."""
    envelope = fixture("sns_notification.json")
    envelope.pop("Subject")  # SES's notifications carry none: the canonical string must leave it out
    return {**envelope, "MessageId": message_id, "Message": json.dumps(fixture(ses_fixture))}


def post(client, message: dict):
    # SNS posts JSON with Content-Type text/plain.
    return client.post("/hooks/mail/ses", data=json.dumps(message), content_type="text/plain; charset=UTF-8")


@pytest.mark.parametrize("version", ["1", "2"])
def test_ses_permanent_bounce_marks_each_known_recipient(hooked, fake_sns, version):
    response = post(hooked.test_client(), fake_sns.sign(notification("ses_bounce.json"), version))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"applied": 2, "replayed": False}  # richard and jane; not the unknown mary
    assert lead_row(hooked, "jane@example.com").bounced_at is not None
    assert lead_row(hooked, "richard@example.com").bounced_at is not None
    assert fake_sns.fetched.count(CERT_PATH) <= 1  # the certificate is fetched once, then kept


def test_ses_transient_bounce_counts_and_complaint_unsubscribes(hooked, fake_sns):
    client = hooked.test_client()
    assert post(client, fake_sns.sign(notification("ses_transient_bounce.json", "m-1"))).status_code == 200
    jane = lead_row(hooked, "jane@example.com")
    assert (jane.soft_bounces, jane.bounced_at) == (1, None)
    assert post(client, fake_sns.sign(notification("ses_complaint.json", "m-2"), "2")).status_code == 200
    richard = lead_row(hooked, "richard@example.com")
    assert richard.complained_at is not None and richard.unsubscribed_at is not None


def test_a_replayed_sns_message_is_applied_once(hooked, fake_sns):
    client = hooked.test_client()
    signed = fake_sns.sign(notification("ses_transient_bounce.json", "same-id"))
    assert post(client, signed).get_json() == {"applied": 1, "replayed": False}
    assert post(client, signed).get_json() == {"applied": 0, "replayed": True}
    assert lead_row(hooked, "jane@example.com").soft_bounces == 1


def tampered(fake_sns):
    signed = fake_sns.sign(notification("ses_bounce.json"))
    return {**signed, "Message": signed["Message"].replace("Permanent", "Transient")}


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda fake: fixture("sns_notification.json"), id="documented-example-signature"),
        pytest.param(tampered, id="tampered-message"),
        pytest.param(
            lambda fake: {**fake.sign(notification("ses_bounce.json")), "SigningCertURL": "https://evil.example/c.pem"},
            id="certificate-host-not-allowed",
        ),
        pytest.param(
            lambda fake: {
                **fake.sign(notification("ses_bounce.json")),
                "SigningCertURL": fake.base.replace("https", "http") + CERT_PATH,
            },
            id="certificate-over-http",
        ),
        pytest.param(lambda fake: {**fake.sign(notification("ses_bounce.json")), "SignatureVersion": "3"}, id="v3"),
        pytest.param(lambda fake: {**fake.sign(notification("ses_bounce.json")), "Signature": "%%%"}, id="not-b64"),
        pytest.param(
            lambda fake: {k: v for k, v in notification("ses_bounce.json").items() if k != "Signature"}, id="unsigned"
        ),
    ],
)
def test_unsigned_or_wrongly_signed_sns_messages_are_refused(hooked, fake_sns, make):
    with hooked.app_context():
        before = row_counts()
    assert post(hooked.test_client(), make(fake_sns)).status_code == 401
    with hooked.app_context():
        assert row_counts() == before


def test_the_default_allow_list_refuses_a_certificate_from_elsewhere(clinic, fake_sns):
    app = clinic()  # MAIL_EVENTS_SNS_CERT_HOSTS as shipped: sns.*.amazonaws.com
    assert post(app.test_client(), fake_sns.sign(notification("ses_bounce.json"))).status_code == 401
    assert fake_sns.fetched == []


def test_subscription_confirmation_is_confirmed_on_an_allowed_host(hooked, fake_sns):
    confirmation = fixture("sns_subscription_confirmation.json")
    confirmation["SubscribeURL"] = fake_sns.base + SUBSCRIBE_PATH
    response = post(hooked.test_client(), fake_sns.sign(confirmation))
    assert response.status_code == 200 and response.get_json()["applied"] == 0
    assert SUBSCRIBE_PATH in fake_sns.fetched


def test_subscription_url_elsewhere_is_only_logged(hooked, fake_sns, caplog):
    confirmation = fixture("sns_subscription_confirmation.json")  # SubscribeURL on sns.us-west-2.amazonaws.com
    assert post(hooked.test_client(), fake_sns.sign(confirmation)).status_code == 200
    assert SUBSCRIBE_PATH not in fake_sns.fetched
    assert "not confirmed" in caplog.text


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("not json at all", id="message-not-json"),
        pytest.param(json.dumps({"notificationType": "Bounce", "bounce": {"bounceType": "Permanent"}}), id="no-list"),
    ],
)
def test_signed_but_malformed_ses_notifications_are_400(hooked, fake_sns, message):
    signed = fake_sns.sign({**notification("ses_bounce.json"), "Message": message})
    response = post(hooked.test_client(), signed)
    assert response.status_code == 400
    assert lead_row(hooked, "jane@example.com").bounced_at is None


def test_body_that_is_not_json_is_400(hooked):
    assert post(hooked.test_client(), "nope").status_code == 400  # a JSON string, not an object
    response = hooked.test_client().post("/hooks/mail/ses", data=b"\xff\xfe", content_type="text/plain")
    assert response.status_code == 400
