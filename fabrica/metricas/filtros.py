"""Reading the filters of the page and of ``/api/metricas/`` (the same fields, the same rules):
a bad value is a 400 naming the field on the API, an error beside the field on the page."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrica.metricas import faixas
from fabrica.metricas.selectors import DIAS_PADRAO, Filtros
from fabrica.palavras import VERTENTES as NOMES_VERTENTES
from fabrica.specs.formato.vertentes import VERTENTES

# Longer periods would still be one query each, but their weekly trends stop being readable.
MAX_DIAS = 3 * 366
SLUG = r"^[a-z0-9_]+$"


def _vertentes() -> list[tuple[str, str]]:
    # The names in the request's language (read when the form is used).
    return [("", "—"), *[(v, f"{v} · {NOMES_VERTENTES[v]}") for v in VERTENTES]]


def _tabelas_de_faixas() -> list[tuple[str, Any]]:
    # The tables an admin edits (fabrica.metricas.models): read when the form is used, not at import.
    return [("", _("— a padrão")), *faixas.escolhas()]


class FiltrosForm(forms.Form):
    de = forms.DateField(label=_("De"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ate = forms.DateField(label=_("Até"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    spec = forms.RegexField(label=_("Spec"), regex=SLUG, max_length=100, required=False)
    vertente = forms.ChoiceField(label=_("Vertente"), choices=_vertentes, required=False)
    ambiente = forms.RegexField(label=_("Ambiente"), regex=SLUG, max_length=50, required=False)
    faixas = forms.ChoiceField(label=_("Faixas DORA"), choices=_tabelas_de_faixas, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read once per form (validating and drawing the select would each read the tables), and
        # only when used: the API without ?faixas= never reads them here.
        campo = self.fields["faixas"]
        assert isinstance(campo, forms.ChoiceField)  # noqa: S101 - declared above
        campo.choices = functools.cache(_tabelas_de_faixas)

    def clean(self):
        dados = super().clean()
        hoje = timezone.localdate()
        ate = dados.get("ate") or hoje
        de = dados.get("de") or ate - timedelta(days=DIAS_PADRAO - 1)
        if de > ate:
            self.add_error("de", _("O início do período vem depois do fim."))
        elif (ate - de).days + 1 > MAX_DIAS:
            self.add_error("de", _("Período longo demais: no máximo %(n)d dias.") % {"n": MAX_DIAS})
        dados["de"], dados["ate"] = de, ate
        return dados

    def filtros(self) -> Filtros:
        d = self.cleaned_data
        return Filtros(
            de=d["de"],
            ate=d["ate"],
            spec=d.get("spec") or "",
            vertente=d.get("vertente") or "",
            ambiente=d.get("ambiente") or "",
            faixas=d.get("faixas") or "",
        )
