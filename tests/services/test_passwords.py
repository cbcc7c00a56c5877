"""The password policy, and every non-web way of setting a password going through it."""

from __future__ import annotations

import pytest
from flask_appbuilder.exceptions import PasswordComplexityValidationError

from app.models.org import IkuUser
from app.services import access
from app.services.passwords import (
    MIN_LENGTH,
    PasswordTooWeakError,
    generate_password,
    password_problems,
    validate_password,
    validate_password_for_fab,
)
from tests.secure_app import secure_app

STRONG = "Kuat-Sekali-2026!"


# Outside a request the default locale applies: the policy speaks Indonesian.
@pytest.mark.parametrize(("password", "missing"), [
    ("Pendek-1!", "minimal 12 karakter"),
    ("HURUF-BESAR-2026!", "huruf kecil"),
    ("huruf-kecil-2026!", "huruf besar"),
    ("Tanpa-Angka-Sama!", "angka"),
    ("TanpaSimbol20261", "simbol"),
])
def test_each_rule_is_named_in_the_message(password, missing):
    assert password_problems(password) == [missing]
    with pytest.raises(PasswordTooWeakError, match=missing):
        validate_password(password)


def test_empty_and_none_fail_every_rule():
    assert len(password_problems("")) == len(password_problems(None)) == 5


def test_a_strong_password_passes():
    validate_password(STRONG)
    assert len(STRONG) >= MIN_LENGTH


def test_fab_gets_its_own_exception_type():
    with pytest.raises(PasswordComplexityValidationError):
        validate_password_for_fab("lemah")


def test_generated_passwords_always_pass():
    for _ in range(50):
        validate_password(generate_password())


def test_fab_validator_setting_is_a_callable_and_cannot_be_turned_off(app, tmp_path):
    assert app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] is validate_password_for_fab
    with secure_app(tmp_path / "iku.db", FAB_PASSWORD_COMPLEXITY_ENABLED=False) as other:
        assert other.config["FAB_PASSWORD_COMPLEXITY_ENABLED"] is True


def test_security_manager_add_user_and_reset_password_refuse_weak(app, db_session):
    sm = app.appbuilder.sm
    with pytest.raises(PasswordTooWeakError):
        sm.add_user("lemah", "L", "U", "lemah@iku.test", sm.find_role("Staf"), password="lemah")
    assert db_session.query(IkuUser).filter_by(username="lemah").one_or_none() is None
    staf = sm.find_user(username="staf")
    before = staf.password
    with pytest.raises(PasswordTooWeakError):
        sm.reset_password(staf.id, "lemah")
    db_session.expire_all()
    assert sm.find_user(username="staf").password == before


def test_fab_cli_create_user_and_reset_password_refuse_weak(app, db_session):
    from flask_appbuilder.cli import fab  # a plugin command: not on app.cli

    runner = app.test_cli_runner()
    created = runner.invoke(fab, args=["create-user", "--role", "Staf", "--username", "lemah",
                                       "--firstname", "L", "--lastname", "U",
                                       "--email", "lemah@iku.test", "--password", "lemah"])
    assert isinstance(created.exception, PasswordTooWeakError)
    assert db_session.query(IkuUser).filter_by(username="lemah").one_or_none() is None
    reset = runner.invoke(fab, args=["reset-password", "--username", "staf",
                                     "--password", "lemah"])
    assert isinstance(reset.exception, PasswordTooWeakError)


def test_iku_cli_refuses_weak_and_accepts_strong(app, db_session):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["iku", "create-user", "baru", "--email", "baru@setneg.go.id",
                               "--role", "Staf"], input="lemah\nlemah\n")
    assert weak.exit_code != 0 and "Kata sandi harus memuat" in weak.output
    ok = runner.invoke(args=["iku", "set-password", "staf"], input=f"{STRONG}\n{STRONG}\n")
    assert ok.exit_code == 0, ok.output
    db_session.expire_all()
    assert app.appbuilder.sm.auth_user_db("staf", STRONG) is not None


def test_service_create_user_refuses_weak_before_touching_the_database(app, db_session):
    with pytest.raises(PasswordTooWeakError):
        access.create_user("baru", "B", "U", "baru@iku.test", ["Staf"], "lemah")
    assert db_session.query(IkuUser).filter_by(username="baru").one_or_none() is None
