"""The Jinja environment of the app: Flask's, with template globals whose keys are a dict's.

Every `{% import %}` asks Jinja which of the rendering context's globals the imported
template lacks (Template._get_default_module: `ctx.globals_keys - self.globals.keys()`).
A template's globals are a ChainMap over the environment's (Environment.make_globals), and
ChainMap.keys() is a pure-Python view: the set difference looked each of the app's ~36 globals
up through the chain, ~17 µs per import, and a list page imports FAB's macro libraries 15 to
20 times. The globals stay a ChainMap over the environment's (a global added later is still
seen); only keys() answers with a dict's keys, which set operations handle in C.
"""

from __future__ import annotations

from collections import ChainMap
from itertools import chain

from flask.templating import Environment


class TemplateGlobals(ChainMap):
    def keys(self):
        """A template's own globals are nearly always none: then the environment's keys
        themselves (a live view, as ChainMap's), else every map's keys in one dict."""
        filled = [mapping for mapping in self.maps if mapping]
        if len(filled) == 1 and isinstance(filled[0], dict):
            return filled[0].keys()
        return dict.fromkeys(chain.from_iterable(self.maps)).keys()


class IkuEnvironment(Environment):
    def make_globals(self, d):
        return TemplateGlobals({} if d is None else d, self.globals)


def install(app) -> None:
    """Before anything reads app.jinja_env, which Flask creates on first use."""
    app.jinja_environment = IkuEnvironment
