"""Personal data is hashed by the loader, in Python, so the hash key never appears in SQL text.

The key used to be rendered into dbt's SQL, and from there into compiled SQL, manifest.json,
run_results.json, dbt.log and the warehouse's view definitions: anyone who could read any of them
could hash every plausible phone number and reverse the hashes. Now the loader registers DuckDB
functions on its own connection whose Python closures hold the key; SQL names the function, never
the key, and a Python function is not stored in the database file.

Hashes are HMAC-SHA256 (hex) of the normalised value: an email lower-cased and trimmed, a phone
number in E.164, parsed with `phonenumbers` in the configured default region (a number written
without its country code belongs to that region).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass

import duckdb
import phonenumbers
from duckdb.sqltypes import VARCHAR

from ingestion.errors import ConfigError
from ingestion.settings import Settings

# Only the embedded sample may be hashed with this: it is public (it is in this file).
SAMPLE_PII_HASH_KEY = "sample-only-key-do-not-use-for-real-data"
KEY_VARIABLE = "CSKPI_PII_HASH_KEY"
MISSING_KEY_MESSAGE = (
    f"{KEY_VARIABLE} is not set: real accounts need a secret key for hashing personal data; "
    f"set it, e.g. export {KEY_VARIABLE}=$(openssl rand -hex 32)"
)

# The SQL names of the functions `register` adds to a loader connection.
HASH_FUNCTION = "cskpi_pii_hash"
PHONE_FUNCTION = "cskpi_phone_e164"


@dataclass(frozen=True)
class PiiHashing:
    """The key and default phone region one loader connection hashes with."""

    key: str
    phone_region: str

    def __repr__(self) -> str:  # never print the key, e.g. in a traceback's locals or a log line
        return f"PiiHashing(key=<hidden>, phone_region={self.phone_region!r})"

    def hash(self, value: str | None) -> str | None:
        if value is None:
            return None
        return hmac.new(self.key.encode(), value.encode(), hashlib.sha256).hexdigest()

    def phone_e164(self, value: str | None) -> str | None:
        return normalise_phone(value, self.phone_region)


def normalise_email(value: str | None) -> str | None:
    """Lower-cased and trimmed; None when empty. The same rule as the `email_hash` column's SQL."""
    if value is None or not value.strip():
        return None
    return value.strip().lower()


# The loader calls it twice per contact (the hash and the unparseable flag): parsing is ~50 us
@functools.lru_cache(maxsize=1 << 16)
def normalise_phone(value: str | None, region: str) -> str | None:
    """E.164 ("+8613800138000"), or None when `value` is not a possible phone number.

    A number without a country code is read in `region` (an ISO 3166 code such as CN or US).
    None is not guessed into a number: an unparseable phone gets no hash, and the loader counts it.
    """
    if value is None or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    # "possible" checks the length for the country; "valid" would also drop new number ranges
    # that the library's metadata does not know yet, hashing nothing for real customers.
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_real_account(settings: Settings) -> bool:
    """Any API source configured (mode `account`: a base URL or credentials set) reads a real account,
    whose users and contacts are hashed; sample and off sources hold no one's personal data, and a
    survey drop folder has nothing this warehouse hashes."""
    return any(settings.source_mode(source) == "account" for source in ("zendesk", "hubspot", "survey_api"))


def pii_hashing(settings: Settings) -> PiiHashing:
    """The hashing a run may use: its own key, or the sample key for the embedded sample only."""
    region = validate_region(settings.phone_default_region)
    if settings.pii_hash_key is None:
        if is_real_account(settings):
            raise ConfigError(MISSING_KEY_MESSAGE)
        return PiiHashing(SAMPLE_PII_HASH_KEY, region)
    return PiiHashing(settings.pii_hash_key, region)


def register(con: duckdb.DuckDBPyConnection, hashing: PiiHashing) -> None:
    """Add cskpi_pii_hash(varchar) and cskpi_phone_e164(varchar) to `con`, for this connection only.

    NULL in, NULL out; the phone function also returns NULL for what is no phone number, which
    needs DuckDB's "special" null handling (its default forbids a UDF to return NULL).
    """
    for name, function in ((HASH_FUNCTION, hashing.hash), (PHONE_FUNCTION, hashing.phone_e164)):
        con.create_function(name, function, [VARCHAR], VARCHAR, null_handling="special", side_effects=False)


def validate_region(region: str) -> str:
    """The region upper-cased; a ConfigError when `phonenumbers` does not know it."""
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(
            f"CSKPI_PHONE_DEFAULT_REGION={region!r} is not a region phone numbers are known for; "
            "use an ISO 3166 code such as CN or US"
        )
    return code
