"""Ending access ends it now: every session cookie and API token names the account's session
generation (IkuUser.session_generation), checked on every request; a logout, lock,
deactivation or new password raises it (app/models/org.py), which ends every session and token
issued before, on every worker, at their next request.

A mixin of the security manager: FAB's hooks for this are its methods (the Flask-Login user
loader, the JWT user lookup, the JWT manager's factory, the logout hook).
"""

from __future__ import annotations

import time
from functools import cached_property

from flask import g
from flask_jwt_extended import JWTManager
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

ACCOUNTS_KEPT = 1000  # a worker forgets them all past this: an office has a few hundred
TOKENS_KEPT = 1000


class KeptTokenJWTManager(JWTManager):
    """A token a worker has decoded once is not decoded again. flask_jwt_extended parses every
    bearer token three times per request (its claims unverified, its header, then verified with
    the signature): a twentieth of a REST answer's work (bench/README.md, "Sixth step"). The
    same string always decodes to the same claims, and of what the decoding checks only the
    expiry can change with time: it is checked on every use, with the configured leeway. Only
    tokens that decoded are kept (an invalid one is refused by the full decoding each time),
    and whether the account behind a token may still act is not decided here but by
    SessionGenerationMixin, on every request."""

    def _decode_jwt_from_config(self, encoded_token: str, csrf_value=None,
                                allow_expired: bool = False) -> dict:
        key = (encoded_token, csrf_value, allow_expired)
        claims = self._kept.get(key)
        if claims is None or (not allow_expired and "exp" in claims
                              and claims["exp"] <= time.time() - self._leeway):
            claims = super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
            if len(self._kept) >= TOKENS_KEPT:
                self._kept.clear()
            self._kept[key] = claims
        return dict(claims)  # the caller's own: flask_jwt_extended keeps it on g

    @cached_property
    def _kept(self) -> dict:
        return {}

    @cached_property
    def _leeway(self) -> float:
        from flask_jwt_extended.config import config

        leeway = config.leeway
        return leeway.total_seconds() if hasattr(leeway, "total_seconds") else float(leeway)


def _may_act(account, generation: int) -> bool:
    """An account or its state row: active, not locked, and the session or token names its
    current generation."""
    return bool(account.active) and account.locked_at is None \
        and (account.session_generation or 0) == generation


class SessionGenerationMixin:
    def load_user(self, pk):
        """Flask-Login's loader: the cookie holds "id:generation" (IkuUser.get_id); a cookie
        from before a logout, lock, deactivation or password change names an old generation."""
        user_id, _, generation = str(pk).partition(":")
        if not (user_id.isdigit() and generation.isdigit()):
            return None
        return self._current_generation(int(user_id), int(generation))

    def load_user_jwt(self, _jwt_header, jwt_data):
        """FAB's JWT lookup, plus the generation the token was issued for (claim "gen")."""
        identity, generation = str(jwt_data.get("sub", "")), jwt_data.get("gen")
        if not identity.isdigit() or not isinstance(generation, int):
            return None
        user = self._current_generation(int(identity), generation)
        if user is not None:
            g.user = user  # as FAB does: its API views read g.user
        return user

    def _current_generation(self, user_id: int, generation: int):
        """The account a request acts as. What decides whether it may act at all (active, not
        locked, this generation) is read fresh on every request, one row by its key. The
        account with its roles and groups, which every permission check of the request reads,
        is kept by this worker between requests and reused while its stamp in the database
        is unchanged (IkuUser.account_stamp, set by triggers on every change): loading it
        through the ORM was about a tenth of a REST answer's work (bench/README.md). Only
        accounts with a stamp are kept, so a row without one is loaded every time."""
        state = self.session.connection().execute(  # Core: a third of the ORM's cost here
            self._account_state, {"account_id": user_id}).first()
        if state is None or not _may_act(state, generation):
            return None
        account = self._accounts.get(user_id)
        if account is None or account.account_stamp != state.account_stamp:
            account = self._load_account(user_id)
            if account is None or not _may_act(account, generation):
                return None
        return self.session.merge(account, load=False)

    def _load_account(self, user_id: int):
        """The account, its roles and groups in one statement, read on the request's own
        connection and transaction but by a session of its own: what it loads outlives the
        request, detached, and each request works on its own copy (merge in
        _current_generation), so a change made through current_user stays that request's."""
        with Session(bind=self.session.connection()) as own:
            account = own.scalars(self._account_statement,
                                  {"account_id": user_id}).unique().one_or_none()
        if account is not None and account.account_stamp is not None:
            if len(self._accounts) >= ACCOUNTS_KEPT:
                self._accounts.clear()
            self._accounts[user_id] = account
        return account

    @cached_property
    def _accounts(self) -> dict:
        """user id -> detached account, this worker's."""
        return {}

    @cached_property
    def _account_state(self):
        model = self.user_model
        return select(model.active, model.locked_at, model.session_generation,
                      model.account_stamp).where(model.id == bindparam("account_id"))

    @cached_property
    def _account_statement(self):
        """Built once: constructing the SELECT and its two loader options on every request
        cost about as much as running it (bench/README.md)."""
        model = self.user_model
        return (select(model).where(model.id == bindparam("account_id"))
                .options(joinedload(model.roles), joinedload(model.groups)))

    def create_jwt_manager(self, app):
        """FAB's three lines, with a manager that keeps decoded tokens (FAB constructs its
        JWTManager inside this method, so the class cannot be given otherwise)."""
        jwt_manager = KeptTokenJWTManager()
        jwt_manager.init_app(app)
        jwt_manager.user_lookup_loader(self.load_user_jwt)
        jwt_manager.additional_claims_loader(self._token_claims)
        return jwt_manager

    def _token_claims(self, identity) -> dict:
        """Stamped into every access and refresh token FAB creates (login and refresh)."""
        user = self.get_user_by_id(int(identity)) if str(identity).isdigit() else None
        return {"gen": (user.session_generation or 0) if user is not None else -1}

    def on_user_logout(self, user) -> None:
        """Logging out ends the account's sessions everywhere: a copy of the cookie replayed
        later, or kept by another browser, no longer loads."""
        super().on_user_logout(user)
        account = self.get_user_by_id(user.id)
        if account is not None:
            account.end_sessions()
            self.session.commit()
