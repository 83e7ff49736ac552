"""Properties that must hold for every input, found by Hypothesis rather than by example.

Email normalisation (one person is one lead), signed tokens (round trip, tamper,
purpose, expiry), names in mail headers, CSV cell escaping and office-hours
scheduling (the last two run once their modules exist).
"""

import csv
import importlib.util
import io
import string
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from email_validator import validate_email
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError
from sqlalchemy import String, func, literal, select

from leadgen.extensions import db
from leadgen.fields import EmailAddress, PlainText, has_control_characters, normalise_email
from leadgen.leads.models import Lead
from leadgen.leads.service import Visit, capture_lead
from leadgen.tokens import TokenExpired, TokenInvalid, sign, unsign

# Function-scoped fixtures (the app) are shared by every example on purpose: each
# example uses its own rows, so no reset is needed between them.
DB_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FAST = settings(max_examples=150, deadline=None)


class AddressSchema(Schema):
    email = EmailAddress(required=True)
    name = PlainText(max_length=100, label="your name", load_default="")


def load(email=None, **extra):
    return AddressSchema().load({"email": email, **extra})


# --- Email addresses -----------------------------------------------------------------------

ATOM = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-"
LABEL = st.text(string.ascii_letters + string.digits, min_size=1, max_size=20)
TLDS = st.sampled_from(["com", "org", "net", "co.uk", "de", "clinic", "health", "io"])


@st.composite
def valid_addresses(draw) -> str:
    """Ordinary addresses email-validator accepts: dot-atoms at a public-looking domain."""
    atoms = draw(st.lists(st.text(ATOM, min_size=1, max_size=12), min_size=1, max_size=3))
    labels = draw(st.lists(LABEL, min_size=1, max_size=3))
    return f"{'.'.join(atoms)}@{'.'.join(labels)}.{draw(TLDS)}"


@st.composite
def typed_variants(draw, address: str) -> str:
    """How a person may type the same address: any letter case, spaces or tabs around it."""
    flips = draw(st.lists(st.booleans(), min_size=len(address), max_size=len(address)))
    typed = "".join(c.upper() if flip else c.lower() for c, flip in zip(address, flips, strict=True))
    space = st.text(" \t\n\r\u00a0", max_size=3)
    return draw(space) + typed + draw(space)


@pytest.mark.slow
@FAST
@given(st.data())
def test_every_way_of_typing_an_address_gives_one_key(data):
    address = data.draw(valid_addresses())
    variants = data.draw(st.lists(typed_variants(address), min_size=1, max_size=4))
    keys = {load(variant)["email"] for variant in variants}
    assert keys == {address.lower()}


@FAST
@given(st.text(max_size=80))
def test_anything_accepted_is_a_trimmed_lower_case_valid_address(text):
    try:
        accepted = load(text)["email"]
    except ValidationError as error:
        assert error.messages["email"]  # refused with a message for the field
        return
    assert accepted == accepted.strip().lower() == normalise_email(text)
    assert load(accepted)["email"] == accepted  # the canonical form is its own canonical form
    assert not has_control_characters(accepted)
    assert len(accepted.encode()) <= 254
    validated = validate_email(accepted, check_deliverability=False)
    assert accepted.split("@")[1] == validated.ascii_domain  # the domain in its IDNA ASCII form
    assert unicodedata.is_normalized("NFC", accepted)


LOCAL_LETTERS = st.sampled_from("abcxyzéñøåüçłßjos" + "\u00e9\u00f1")
DOMAIN_LETTERS = st.sampled_from("abcexmplzäöüéñ")
FULLWIDTH = {char: chr(ord(char) - 0x21 + 0xFF01) for char in string.ascii_letters + string.digits}


@st.composite
def unicode_mailboxes(draw) -> str:
    """An address with accents in the local part and maybe an internationalised domain."""
    local = draw(st.text(LOCAL_LETTERS, min_size=1, max_size=10))
    labels = draw(st.lists(st.text(DOMAIN_LETTERS, min_size=1, max_size=10), min_size=1, max_size=2))
    return f"{local}@{'.'.join(labels)}.{draw(TLDS)}"


@st.composite
def spellings_of(draw, address: str) -> str:
    """The same mailbox as a device may send it: decomposed accents, fullwidth or punycode
    domain, upper case."""
    local, domain = address.split("@")
    if draw(st.booleans()):
        local = unicodedata.normalize("NFD", local)
    domain = draw(
        st.sampled_from(
            [
                domain,
                idna_ascii(domain),
                "".join(FULLWIDTH.get(char, char) for char in domain),
                unicodedata.normalize("NFD", domain),
            ]
        )
    )
    spelled = f"{local}@{domain}"
    return spelled.upper() if draw(st.booleans()) and spelled.upper().lower() == spelled.lower() else spelled


def idna_ascii(domain: str) -> str:
    """The domain's "xn--" form, as a device or a mail client may hand it over."""
    return validate_email(f"x@{domain}", check_deliverability=False).ascii_domain


@pytest.mark.slow
@FAST
@given(st.data())
def test_every_spelling_of_one_mailbox_gives_one_key(data):
    address = data.draw(unicode_mailboxes())
    try:
        canonical = load(address)["email"]
    except ValidationError:
        assume(False)  # a domain IDNA refuses: not a mailbox
    spellings = data.draw(st.lists(spellings_of(address), min_size=1, max_size=4))
    assert {load(spelling)["email"] for spelling in spellings} == {canonical}
    assert {normalise_email(spelling) for spelling in spellings} == {canonical}


CONTROL = st.characters(codec="utf-8", categories=["Cc"])


@FAST
@given(valid_addresses(), CONTROL, st.data())
def test_control_characters_inside_an_address_are_refused(address, control, data):
    position = data.draw(st.integers(min_value=1, max_value=len(address) - 1))
    with pytest.raises(ValidationError):
        load(address[:position] + control + address[position:])


@FAST
@given(
    st.one_of(
        st.text(string.ascii_letters + string.digits + ".", max_size=30),  # no @ at all
        LABEL.map(lambda name: f"{name}@"),
        LABEL.map(lambda domain: f"@{domain}.com"),
        st.tuples(LABEL, LABEL).map(lambda parts: f"{parts[0]}@@{parts[1]}.com"),
        st.tuples(LABEL, LABEL).map(lambda parts: f"{parts[0]} {parts[1]}@example.com"),
        st.tuples(LABEL, LABEL).map(lambda parts: f"{parts[0]}@{parts[1]}"),  # no dot in the domain
        st.tuples(LABEL, LABEL).map(lambda parts: f"{parts[0]}..{parts[1]}@example.com"),
    )
)
def test_malformed_addresses_are_never_accepted(text):
    with pytest.raises(ValidationError):
        load(text)


@DB_SETTINGS
@given(st.data())
def test_the_same_person_typed_differently_is_one_lead(app, data):
    address = data.draw(valid_addresses())
    variants = data.draw(st.lists(typed_variants(address), min_size=2, max_size=3))
    with app.app_context():
        for variant in variants:
            email = load(variant)["email"]
            capture_lead(email=email, first_name="Ana", source="ebook", activity="ebook_requested", visit=Visit())
            db.session.commit()
        stored = db.session.scalar(select(func.count()).select_from(Lead).where(Lead.email == address.lower()))
        db.session.remove()
    assert stored == 1


# --- Names reach mail headers safely ----------------------------------------------------------

LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


@FAST
@given(st.text(max_size=120))
def test_an_accepted_name_has_no_line_break_or_control_character(text):
    try:
        name = load("ana@example.com", name=text)["name"]
    except ValidationError:
        return
    assert not has_control_characters(name)
    assert not any(char in LINE_BREAKS for char in name if unicodedata.category(char) == "Cc")
    assert name == name.strip() and len(name) <= 100


@DB_SETTINGS
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40))
# Long enough that its encoding is split in two encoded words (found by Hypothesis).
@example("0000000000000000000" + "\xa0" * 9 + "\u0800" * 4)
def test_a_name_arrives_in_the_to_header_as_typed_and_adds_no_header(app, text):
    """Whatever name the form accepts is shown as such in To: and can never add a header."""
    import email
    import email.header
    import email.policy
    import email.utils

    from leadgen.outbox.models import OutboxMessage
    from leadgen.outbox.render import render_email

    try:
        name = load("ana@example.com", name=text)["name"]
    except ValidationError:
        return
    with app.app_context():
        message = OutboxMessage(
            template="ebook_delivery",
            recipient="ana@example.com",
            recipient_name=name,
            context={"first_name": name, "lead_id": 1},
            message_id="<property@clinic.example>",
            category="transactional",
        )
        raw = render_email(message).as_bytes()
    received = email.message_from_bytes(raw, policy=email.policy.default)
    headers = [key.lower() for key in received]
    assert "bcc" not in headers and headers.count("to") == 1
    [to] = received["To"].addresses
    assert to.addr_spec == "ana@example.com"
    # Mail clients show the decoded name; line separators may become spaces, nothing else changes.
    # Decoded as RFC 2047 section 6.2 says: the space between two encoded words of a long name is
    # dropped. (The display_name above keeps it, a known slip of Python's newer header parser.)
    [(encoded_name, _address)] = email.utils.getaddresses([str(email.message_from_bytes(raw)["To"])])
    decoded = str(email.header.make_header(email.header.decode_header(encoded_name)))
    shown = " ".join(decoded.split())
    assert shown == " ".join(name.split())


# --- Signed tokens ----------------------------------------------------------------------------

PAYLOADS = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=8,
)
PURPOSES = st.text(string.ascii_lowercase + "-", min_size=1, max_size=20)


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield


@DB_SETTINGS
@given(PURPOSES, PAYLOADS)
def test_a_signed_payload_comes_back_unchanged(app_context, purpose, payload):
    assert unsign(purpose, sign(purpose, payload), max_age=60) == payload


@DB_SETTINGS
@given(PURPOSES, PAYLOADS, st.data())
def test_a_tampered_token_never_yields_another_payload(app_context, purpose, payload, data):
    token = sign(purpose, payload)
    position = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    replacement = data.draw(st.sampled_from(string.ascii_letters + string.digits + "-_."))
    assume(replacement != token[position])
    tampered = token[:position] + replacement + token[position + 1 :]
    try:
        result = unsign(purpose, tampered, max_age=60)
    except TokenInvalid:
        return
    # base64 ignores the unused low bits of its last character: such a change decodes
    # to the very same bytes, so the signature still holds for the same payload.
    assert result == payload


@DB_SETTINGS
@given(PURPOSES, PURPOSES, PAYLOADS)
def test_a_token_for_one_purpose_is_refused_for_another(app_context, purpose, other, payload):
    assume(purpose != other)
    with pytest.raises(TokenInvalid):
        unsign(other, sign(purpose, payload), max_age=60)


@DB_SETTINGS
@given(PAYLOADS, st.integers(min_value=60, max_value=30 * 86400), st.integers(min_value=2, max_value=10**6))
def test_a_token_works_until_its_max_age_then_expires_with_its_payload(app_context, payload, max_age, late):
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        token = sign("ebook-download", payload)
    with time_machine.travel(start + timedelta(seconds=max_age - 1), tick=False):
        assert unsign("ebook-download", token, max_age=max_age) == payload
    with (
        time_machine.travel(start + timedelta(seconds=max_age + late), tick=False),
        pytest.raises(TokenExpired) as expired,
    ):
        unsign("ebook-download", token, max_age=max_age)
    assert expired.value.payload == payload


# --- CSV cells (leadgen/leads/export.py) and office hours (leadgen/followups/officehours.py) ---


def module_or_skip(name: str):
    """Import a module another feature adds; skip, visibly, until it has landed."""
    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} has not landed yet")
    return importlib.import_module(name)


FORMULA_STARTS = "=+-@\t\r"
SPLITTERS = ",;\t"
HOSTILE_PIECES = ["=1+1", "+cmd", "-2", "@SUM(A1)", "\t=x", "\r=x", '=HYPERLINK("http://x","y")', "'=already"]
CELL_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40) | st.lists(
    st.sampled_from([*HOSTILE_PIECES, "Ann", " ", "", *SPLITTERS]), max_size=6
).map("".join)


def assert_safe_cell(cell: str, value: str) -> None:
    """No piece a spreadsheet may split off (at ",", ";" or a tab) starts a formula; the text is
    kept, with one apostrophe added before each formula start at a cell's or a piece's start."""
    for splitter in SPLITTERS:
        assert not any(piece.startswith(tuple(FORMULA_STARTS)) for piece in cell.split(splitter)), (cell, splitter)
    assert not cell.startswith(tuple(FORMULA_STARTS))
    assert cell.replace("'", "") == value.replace("'", "")
    guarded = sum(
        1 for at, char in enumerate(value) if char in FORMULA_STARTS and (at == 0 or value[at - 1] in SPLITTERS)
    )
    assert cell.count("'") - value.count("'") == guarded


@DB_SETTINGS
@given(CELL_TEXT.filter(lambda text: "\x00" not in text))  # PostgreSQL text holds no NUL
def test_a_csv_cell_never_starts_a_formula_and_keeps_the_text(app, value):
    export = module_or_skip("leadgen.leads.export")
    buffer = io.StringIO()
    with app.app_context():
        cell = db.session.scalar(select(export.safe_text(literal(value, String))))
    csv.writer(buffer).writerow([cell, "end"])
    [[cell, end]] = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert end == "end"  # quotes, commas and line breaks stay inside the cell
    assert_safe_cell(cell, value)


@DB_SETTINGS
@given(st.lists(CELL_TEXT, min_size=1, max_size=4))
def test_exported_names_and_campaigns_arrive_as_text_in_their_own_cells(app, names):
    """Whatever a visitor may type reaches the CSV one cell each, never as a formula."""
    export = module_or_skip("leadgen.leads.export")
    accepted = []
    for text in names:
        try:
            accepted.append(load("ana@example.com", name=text)["name"])
        except ValidationError:
            continue
    with app.app_context():
        emails = []
        for number, name in enumerate(accepted):
            email = f"csv{number}-{abs(hash(name)) % 10**9}@example.com"
            visit = Visit(utm={"utm_campaign": name})
            capture_lead(email=email, first_name=name, source="ebook", activity="ebook_requested", visit=visit)
            emails.append(email)
        db.session.commit()
        text = "".join(export.csv_rows({})).removeprefix(export.BOM)
        for email in emails:  # later examples must not see this one's rows
            db.session.delete(db.session.scalars(select(Lead).where(Lead.email == email)).one())
        db.session.commit()
        db.session.remove()
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert all(len(row) == len(export.export_columns()) and None not in row for row in rows)
    by_email = {row["email"]: row for row in rows}
    for email, name in zip(emails, accepted, strict=True):
        for column in ("first_name", "utm_campaign"):
            cell = by_email[email][column]
            assert_safe_cell(cell, name)


# Opening times stay clear of 00:00-04:59, where every zone below changes its clocks, so
# "inside the window" can be judged by the wall clock alone.
ZONES = st.sampled_from(
    ["America/Chicago", "Europe/London", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "America/St_Johns", "UTC"]
)
QUARTERS = st.integers(min_value=5 * 4, max_value=24 * 4).map(lambda quarter: quarter * 15)
DAY_RANGES = st.sampled_from(["Mon-Fri", "Sat", "Sun", "Mon,Wed", "Fri-Mon", "Tue-Thu", "Mon-Sun"])
MOMENTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))


@st.composite
def office_hours_settings(draw) -> str:
    """A valid OFFICE_HOURS value: one to three rules with opening before closing."""
    rules = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        opens, closes = sorted(draw(st.lists(QUARTERS, min_size=2, max_size=2, unique=True)))
        rules.append(f"{draw(DAY_RANGES)} {opens // 60:02d}:{opens % 60:02d}-{closes // 60:02d}:{closes % 60:02d}")
    return "; ".join(rules)


def open_at(local: datetime, windows) -> bool:
    """Is the office open at this local wall-clock time?"""
    minutes = local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 60e6
    return any(day == local.weekday() and opens <= minutes < closes for day, opens, closes in windows)


def openings_between(after: datetime, before: datetime, windows, zone) -> list[datetime]:
    """Every window start strictly between two moments, computed day by day on the wall clock."""
    starts = []
    day = after.astimezone(zone).date() - timedelta(days=1)
    while datetime.combine(day, datetime.min.time(), tzinfo=zone) <= before:
        for weekday, opens, _closes in windows:
            if weekday == day.weekday() and opens < 24 * 60:
                local = datetime.combine(day, datetime.min.time(), tzinfo=zone) + timedelta(minutes=opens)
                if after < local < before:
                    starts.append(local)
        day += timedelta(days=1)
    return starts


@FAST
@given(office_hours_settings(), ZONES, MOMENTS)
def test_a_shifted_send_time_is_inside_office_hours_and_never_early(setting, zone_name, moment):
    officehours = module_or_skip("leadgen.followups.officehours")
    hours = officehours.parse_office_hours(setting)
    zone = officehours.clinic_zone(zone_name)
    shifted = officehours.next_opening(moment, hours, zone)
    assert shifted.utcoffset() == timedelta(0)
    assert shifted >= moment
    assert shifted - moment <= timedelta(days=8)
    assert open_at(shifted.astimezone(zone), hours.windows), (setting, shifted.astimezone(zone))
    if open_at(moment.astimezone(zone), hours.windows):
        assert shifted == moment  # already open: no delay at all
    else:
        assert openings_between(moment, shifted, hours.windows, zone) == []  # the first opening, not a later one


@FAST
@given(MOMENTS)
def test_always_open_never_shifts(moment):
    officehours = module_or_skip("leadgen.followups.officehours")
    zone = officehours.clinic_zone("America/Chicago")
    assert officehours.next_opening(moment, officehours.parse_office_hours("always"), zone) == moment
