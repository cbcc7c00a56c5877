"""Email addresses: the organisation's own domains are accepted even where email-validator
refuses special-use names (.local), and the same rule holds in the form, the import, the CLI."""

from __future__ import annotations

import pytest

from app.models.org import IkuUser
from app.services.validation import ValueInvalidError as EmailAddressInvalidError
from app.services.validation import validate_email as normalize_address
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("Siti.Rahma@SETNEG.go.id", "Siti.Rahma@setneg.go.id"),
        ("admin@iku.local", "admin@iku.local"),
        (" Budi@IKU.LOCAL ", "Budi@iku.local"),
    ],
)
def test_accepted_addresses_are_normalised(app, address, stored):
    assert normalize_address(address) == stored


@pytest.mark.parametrize(
    "address", ["x@lain.local", "x@localhost", "bukan-email", "a b@iku.local", "@iku.local",
                "x@iku.local.evil.com@iku.local"],
)
def test_other_special_use_domains_and_bad_local_parts_are_refused(app, address):
    with pytest.raises(EmailAddressInvalidError):
        normalize_address(address)


def test_the_domains_come_from_the_configuration(app, monkeypatch):
    monkeypatch.setitem(app.config, "IKU_ORG_EMAIL_DOMAINS", ["kantor.internal", "@intra.local"])
    assert normalize_address("a@intra.local") == "a@intra.local"
    with pytest.raises(EmailAddressInvalidError):
        normalize_address("admin@iku.local")


def test_cli_create_user_takes_an_own_domain_address(app, db_session):
    runner = app.test_cli_runner()
    done = runner.invoke(args=["iku", "create-user", "lokal", "--email", "Lokal@IKU.local",
                               "--role", "Staf"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert done.exit_code == 0, done.output
    assert db_session.query(IkuUser).filter_by(username="lokal").one().email == "Lokal@iku.local"
    refused = runner.invoke(args=["iku", "create-user", "asing", "--email", "x@lain.local",
                                  "--role", "Staf"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert refused.exit_code != 0 and "Alamat email tidak valid" in refused.output
    assert db_session.query(IkuUser).filter_by(username="asing").one_or_none() is None
