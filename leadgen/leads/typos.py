"""Addresses whose domain is one slip away from a common mail provider ("gmial.com").

A lead lost to a typo never gets the ebook, so the public forms ask "Did you mean ...?" before
storing such an address. The suggestion depends only on the text typed, never on who is known.
"""

# The providers most visitors use. Short domains (me.com, gmx.com, live.com) are left out: one
# edit from them lands on too many real domains (mo.com, gmc.com, love.com).
COMMON_DOMAINS = (
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "ymail.com",
    "hotmail.com",
    "hotmail.co.uk",
    "outlook.com",
    "icloud.com",
    "aol.com",
    "msn.com",
    "comcast.net",
    "verizon.net",
    "sbcglobal.net",
    "protonmail.com",
)

# Optimal string alignment: a swap of two neighbouring letters (gmial) is one edit, as people see it.
MAX_EDITS = 1


def suggested_address(address: str) -> str | None:
    """The address with its domain corrected to a common provider one edit away, or None.

    `address` is a canonical address (fields.canonical_email); its local part is kept as typed.
    """
    # Imported here, not at the top: only the public forms need rapidfuzz, and every CLI
    # command would otherwise pay for its import at start-up.
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    local_part, at, domain = address.rpartition("@")
    if not at or not local_part or domain in COMMON_DOMAINS:
        return None
    match = process.extractOne(domain, COMMON_DOMAINS, scorer=OSA.distance, score_cutoff=MAX_EDITS)
    return f"{local_part}@{match[0]}" if match else None
