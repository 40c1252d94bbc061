"""The Jinja environment the pages are rendered with.

- Templates ship in the package (`templates/agenda/*.html`). A site owner overrides any of
  them by putting a file of the same name in the theme's `custom_dir`
  (`overrides/agenda/proposal.html`), as Material users override `main.html`; an override
  may extend the shipped template as `original/agenda/proposal.html` and change one block.
- Autoescaping is on: every value is escaped where it is printed. The only markup that is
  not escaped is what Python hands over as `Markup`: descriptions rendered and sanitised by
  markdown.py.
- `_()` and `ngettext()` translate through the page's `i18n.Translator`; translations are
  text (escaped like any value), and placeholders (`%(name)s`) are filled after
  translation. `ngettext` formats its count for the language (`num`).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import (ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, pass_context)
from markupsafe import Markup, escape

from ..i18n import Translator

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _translated(context, text: str, variables: dict):
    if context.eval_ctx.autoescape:
        return Markup(escape(text)) % variables
    return text % variables


def _gettext(translator: Translator):
    @pass_context
    def gettext(__context, __message, **variables):
        return _translated(__context, translator.raw_gettext(__message), variables)

    return gettext


def _ngettext(translator: Translator):
    @pass_context
    def ngettext(__context, __singular, __plural, __num, **variables):
        variables.setdefault("num", translator.number(__num))
        return _translated(__context, translator.raw_ngettext(__singular, __plural, __num), variables)

    return ngettext


def environment(translator: Translator, custom_dir: str | Path | None = None) -> Environment:
    """An environment for one language; templates of `custom_dir` first."""
    shipped = FileSystemLoader(str(TEMPLATES))
    loaders = [FileSystemLoader(str(custom_dir))] if custom_dir else []
    env = Environment(
        loader=ChoiceLoader([*loaders, shipped, PrefixLoader({"original": shipped})]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    env.globals.update(_=_gettext(translator), gettext=_gettext(translator), ngettext=_ngettext(translator),
                       t=translator)
    return env
