"""Which mails staff may reword, the placeholders each one offers, and its shipped words as Markdown.

The shipped mails are still rendered from templates/email/<key>.txt and .html while nobody has
edited them (their look and the place of each link stay as designed); the Markdown here is what
the edit page starts from, the same words. A default is changed in both: tests/test_content_defaults
fails, naming the sentence, while they differ. The parts that make a mail work (download link, join
and cancel links, the recording's link, confirm button, call button, footer and unsubscribe) are not
in the words: templates/email/parts/<key> adds them after the staff text.
"""

from dataclasses import dataclass

# Every mail offers these (the values come from the lead and from the clinic's settings).
COMMON = {
    "first_name": "the reader's first name",
    "clinic_name": "the clinic's name",
    "clinic_address": "the clinic's address",
    "office_phone": "the office phone number",
    "office_hours": "when the office answers the phone",
    "site_url": "the website's address (PUBLIC_BASE_URL), for links such as {site_url}/webinars",
}
WEBINAR = {
    "webinar_title": "the webinar's title",
    "webinar_time": "when it starts, in the clinic's time zone",
    "webinar_duration": "how long it lasts, in minutes",
}
# A webinar's recording, for the mails after it; the mail adds its own link to the recording when there is one.
REPLAY = {"replay_url": "the recording's link (empty while staff have not set one)"}
COMMENT = {"post_title": "the article's title"}

SIGNATURE = "Warm regards,  \nThe team at {clinic_name}"
CALL_US = (
    "If you would like to talk about your own situation, call us at {office_phone} ({office_hours}) "
    "to speak with one of our physicians."
)
FIRST_CALL = (
    "What the first call is like: it takes about fifteen minutes. A member of our care team listens to what "
    "you are dealing with, answers your questions about how we work, and, if it suits you, books a first "
    "visit with one of our physicians. The call costs nothing and commits you to nothing."
)


@dataclass(frozen=True)
class Mail:
    """An editable mail: what the console calls it, its placeholders, and its shipped words."""

    label: str
    placeholders: dict[str, str]
    subject: str
    body: str


MAILS: dict[str, Mail] = {
    "ebook_delivery": Mail(
        "The ebook's delivery",
        {
            **COMMON,
            "download_link": "the signed download link",
            "link_days": "how many days the link works",
            "ebook_title": "the title of the ebook asked for (each offer on /admin/ebooks has its own)",
        },
        "Your free ebook: {ebook_title}",
        "Hello {first_name},\n\nThank you for asking for our free ebook, *{ebook_title}*.\n\n"
        "It covers the five things we look at with every patient: food, gut health, toxins, "
        f"infections and stress.\n\n{CALL_US}\n\n{SIGNATURE}",
    ),
    "webinar_confirmation": Mail(
        "Webinar: registration confirmed",
        {**COMMON, **WEBINAR},
        "You are registered: {webinar_title}",
        "Hello {first_name},\n\nYou are registered for our free webinar:\n\n**{webinar_title}**  \n"
        "{webinar_time} ({webinar_duration} minutes)\n\nThe calendar invitation is attached: open it to add the "
        "webinar to Google Calendar, Outlook or Apple Calendar. We will also remind you by email a day before "
        "and an hour before the start.\n\nIf you would like to talk about your own situation before then, call us "
        f"at {{office_phone}} ({{office_hours}}) to speak with one of our physicians.\n\n{SIGNATURE}",
    ),
    "webinar_reminder": Mail(
        "Webinar: reminder (a day and an hour before)",
        {**COMMON, **WEBINAR, "starts_in": '"tomorrow" or "in one hour"'},
        "Starting {starts_in}: {webinar_title}",
        "Hello {first_name},\n\nA reminder: our free webinar starts {starts_in}.\n\n**{webinar_title}**  \n"
        "{webinar_time} ({webinar_duration} minutes)\n\nSee you there,  \nThe team at {clinic_name}",
    ),
    "webinar_cancelled": Mail(
        "Webinar: cancelled",
        {**COMMON, **WEBINAR},
        "Cancelled: {webinar_title}",
        "Hello {first_name},\n\nWe are sorry: the webinar you registered for has been cancelled.\n\n"
        "**{webinar_title}**  \nIt was planned for {webinar_time}.\n\nYou do not need to do anything, and you "
        f"will get no reminders for it. You can remove it from your calendar.\n\n{CALL_US}\n\n"
        "Our apologies,  \nThe team at {clinic_name}",
    ),
    "webinar_moved": Mail(
        "Webinar: it has a new time",
        {
            **COMMON,
            **WEBINAR,
            "webinar_time": "the new start, in the clinic's time zone",
            "previous_time": "when it was planned before the move",
            "join_url": "the registrant's own join link",
        },
        "New time: {webinar_title}",
        "Hello {first_name},\n\nThe webinar you registered for has a new time.\n\n**{webinar_title}**  \n"
        "Now: {webinar_time} ({webinar_duration} minutes)  \nIt was planned for {previous_time}.\n\n"
        "Your seat is kept. The updated calendar invitation is attached: open it and your calendar moves the event. "
        f"Reminders follow the new time.\n\n{SIGNATURE}",
    ),
    "webinar_thanks": Mail(
        "Webinar: thank you for joining (attendees, after the end)",
        {**COMMON, **WEBINAR, **REPLAY},
        "Thank you for joining: {webinar_title}",
        'Hello {first_name},\n\nThank you for joining our webinar "{webinar_title}".\n\n'
        "If what you heard made you think of your own situation, call us at {office_phone} ({office_hours}) "
        f"to speak with one of our physicians.\n\n{SIGNATURE}",
    ),
    "webinar_missed": Mail(
        "Webinar: sorry we missed you (no-shows, after the end)",
        {**COMMON, **WEBINAR, **REPLAY},
        "Sorry we missed you: {webinar_title}",
        'Hello {first_name},\n\nWe are sorry we missed you at our webinar "{webinar_title}".\n\n'
        f"{CALL_US}\n\n{SIGNATURE}",
    ),
    "confirm_subscription": Mail(
        "Confirm a new subscription (after an unsubscribe)",
        COMMON,
        "Do you want our emails again?",
        "Hello {first_name},\n\nSomeone, we hope you, ticked the box on our website to hear from {clinic_name} "
        "again at this address. You unsubscribed earlier, so we send you no articles, invitations or follow-ups "
        "unless you confirm it yourself with the link below.\n\nDid not ask for this? Ignore this email: you stay "
        "unsubscribed.",
    ),
    "comment_approved": Mail(
        "Comments: your comment is published",
        {**COMMON, **COMMENT},
        'Your comment on "{post_title}" is published',
        'Hello {first_name},\n\nThank you for your comment on "{post_title}". It is now published.\n\n'
        f"{CALL_US}\n\n{SIGNATURE}",
    ),
    "comment_reply": Mail(
        "Comments: someone replied to yours",
        {**COMMON, **COMMENT, "reply_author": "the name of who replied"},
        '{reply_author} replied to your comment on "{post_title}"',
        'Hello {first_name},\n\n{reply_author} replied to your comment on "{post_title}".\n\n{SIGNATURE}'.replace(
            "{SIGNATURE}", SIGNATURE
        ),
    ),
}

# The follow-up sequences' shipped words, step by step (templates/email/followup_<source>_<n>).
FOLLOWUP_PLACEHOLDERS = {
    "ebook": {**COMMON, "ebook_title": "the title of the ebook they asked for"},
    "webinar": {**COMMON, "webinar_title": "the title of the webinar they registered for"},
    "comment": COMMON,
}
CALL_OFFICE = (
    f"Call our office to speak with one of our physicians: **{{office_phone}}** ({{office_hours}})\n\n{FIRST_CALL}"
)
FOLLOWUP_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "ebook": (
        (
            "Questions after reading The 5 Foundations? Talk with one of our physicians",
            "Hello {first_name},\n\nA couple of days ago you asked for our ebook, *The 5 Foundations of Autoimmune "
            "Diseases*. Many readers finish it with questions about their own health: which of the five "
            "foundations matters most for them, and where to start.\n\nThose are good questions for one of our "
            "physicians. Call our office to speak with one of them: **{office_phone}** ({office_hours})\n\n"
            f"{FIRST_CALL}\n\n{SIGNATURE}",
        ),
        (
            "Join one of our online webinars on autoimmune health",
            "Hello {first_name},\n\nIf you liked *The 5 Foundations of Autoimmune Diseases*, our online webinars go "
            "further: one of our physicians walks through a topic from the ebook and answers questions from the "
            "audience. They are free and last about an hour.\n\n[See the dates and save a seat]"
            "({site_url}/webinars?utm_source=followup&utm_medium=email&utm_campaign=ebook-2)\n\n"
            "Would you rather talk about your own situation? Call {office_phone} ({office_hours}) to speak with one "
            f"of our physicians.\n\n{SIGNATURE}",
        ),
    ),
    "webinar": (
        (
            "After the webinar: talk with one of our physicians",
            'Hello {first_name},\n\nThank you for registering for our webinar "{webinar_title}". A webinar can '
            "only go so far: everyone's autoimmune story is different, and the questions that matter most are usually "
            f"about your own.\n\n{CALL_OFFICE}\n\n{SIGNATURE}",
        ),
        (
            "More to read while you think it over",
            "Hello {first_name},\n\nSince the webinar, our physicians have kept writing on our blog: plain-language "
            "articles on food, gut health, sleep and stress in autoimmune disease, with readers' questions answered "
            "underneath.\n\n[Read the latest articles]"
            "({site_url}/blog?utm_source=followup&utm_medium=email&utm_campaign=webinar-2)\n\n"
            "And when you would like to talk about your own health, call {office_phone} ({office_hours}) to speak "
            f"with one of our physicians.\n\n{SIGNATURE}",
        ),
    ),
    "comment": (
        (
            "Thank you for your reply on our blog",
            "Hello {first_name},\n\nThank you for joining the conversation on our blog. Comments there are public, "
            "so they are not the place for the details of your own health. If you have questions about your "
            f"situation, the best next step is a conversation.\n\n{CALL_OFFICE}\n\n{SIGNATURE}",
        ),
        (
            "Our ebook on the five foundations of autoimmune health",
            "Hello {first_name},\n\nReaders of our blog often ask where to begin. Our physicians wrote a short ebook "
            "for exactly that: *The 5 Foundations of Autoimmune Diseases* covers food, gut health, toxins, "
            "infections and stress, the five things we look at with every patient. [It is yours at no cost]"
            "({site_url}/ebook?utm_source=followup&utm_medium=email&utm_campaign=comment-2).\n\n"
            "And when you would like to talk about your own health, call {office_phone} ({office_hours}) to speak "
            f"with one of our physicians.\n\n{SIGNATURE}",
        ),
    ),
}

# The forms whose consent sentence staff may reword (only admins: it is a legal text).
CONSENT_FORMS = {
    "ebook": "The ebook form",
    "webinar": "Webinar registration",
    "comment": "Leave a reply (blog)",
    "callback": "Call me back",
}
