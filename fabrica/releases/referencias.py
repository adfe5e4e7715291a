"""What ``feature_ref`` names in a ``corrigir_bug`` (docs/desenvolvimento.md, "`corrigir_bug` and
`feature_ref`"): the release or spec to fix.

- a release, by its label ``<spec>-v<n>`` (``spec_001-v2``): that release;
- a spec id (``spec_001``): the newest release of that spec, whatever its status.

Anything else, or a release or spec that does not exist, is refused when the item is produced
(``contexto.feature_ref`` named), and again when it is processed.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from fabrica.contratos import e_spec_ref, ler_rotulo_versao
from fabrica.models import Release
from fabrica.releases.selectors import release_por_rotulo


class ReferenciaInvalida(ValueError):
    """``feature_ref`` names nothing that can be fixed; the message says what was expected."""


def release_a_corrigir(feature_ref: str) -> Release:
    """The release a ``corrigir_bug`` fixes; raises ``ReferenciaInvalida`` naming the problem."""
    ref = (feature_ref or "").strip()
    if ler_rotulo_versao(ref) is not None:
        release = release_por_rotulo(ref)
        if release is None:
            raise ReferenciaInvalida(_("A release %(ref)s não existe.") % {"ref": ref})
        return release
    if e_spec_ref(ref):
        release = Release.objects.filter(spec_ref=ref).order_by("-versao").first()
        if release is None:
            raise ReferenciaInvalida(
                _("A spec %(ref)s não tem release para corrigir: desenvolva-a antes.") % {"ref": ref}
            )
        return release
    raise ReferenciaInvalida(
        _("%(ref)r não é uma release (spec_001-v2) nem uma spec (spec_001).") % {"ref": feature_ref}
    )


def erros_de_corrigir_bug(contexto: dict[str, Any]) -> dict[str, list[str]]:
    """The produce-time check of ``corrigir_bug`` (registered with MS_Backlog)."""
    try:
        release_a_corrigir(contexto["feature_ref"])
    except ReferenciaInvalida as exc:
        return {"feature_ref": [str(exc)]}
    return {}
