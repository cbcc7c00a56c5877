"""The app's Jinja environment (app/templating.py): template globals read as Jinja's own
ChainMap reads them, with keys a set operation handles in C."""

from __future__ import annotations

from collections import ChainMap

from flask import render_template_string

from app.templating import IkuEnvironment, TemplateGlobals


def test_the_app_renders_with_it(app):
    assert isinstance(app.jinja_env, IkuEnvironment)
    template = app.jinja_env.get_template("appbuilder/general/lib.html")
    assert isinstance(template.globals, TemplateGlobals)


def test_template_globals_have_chainmaps_keys_and_values():
    env_globals = {"a": 1, "b": 2}
    for own in ({}, {"b": 3, "c": 4}):
        ours, jinjas = TemplateGlobals(own, env_globals), ChainMap(own, env_globals)
        assert set(ours.keys()) == set(jinjas.keys()) and dict(ours) == dict(jinjas)
        assert {"a", "x"} - ours.keys() == {"a", "x"} - jinjas.keys() == {"x"}
    live = TemplateGlobals({}, env_globals)
    env_globals["late"] = 5  # a global added after a template was loaded is still seen
    assert {"late"} <= live.keys() and live["late"] == 5


def test_an_import_sees_the_globals_and_the_context_it_is_given(app):
    """FAB's pages import macro libraries with and without context; both still render."""
    with app.test_request_context("/"):
        app.jinja_env.globals["iku_test_word"] = "kata"
        try:
            html = render_template_string(
                "{% import 'appbuilder/baselib.html' as plain %}"
                "{% import 'appbuilder/general/lib.html' as lib with context %}"
                "{{ iku_test_word }} {{ lib.lnk_back() | striptags | trim }}"
                " {{ plain.get_nonce() is string }}")
        finally:
            del app.jinja_env.globals["iku_test_word"]
    assert html.split()[0] == "kata" and html.split()[-1] == "True"
