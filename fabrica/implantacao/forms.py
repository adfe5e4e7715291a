from django import forms
from django.utils.translation import gettext_lazy as _


class ValidacaoForm(forms.Form):
    decisao = forms.ChoiceField(choices=[("validar", _("Validar")), ("recusar", _("Recusar"))])
    observacao = forms.CharField(
        label=_("Observação"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        dados = super().clean()
        if dados.get("decisao") == "recusar" and not (dados.get("observacao") or "").strip():
            self.add_error("observacao", _("Diga o que está errado: a observação vira o pedido de correção."))
        return dados


class ReversaoForm(forms.Form):
    spec_ref = forms.RegexField(regex=r"^[a-z0-9_]+$", max_length=100)
    release = forms.IntegerField(label=_("Reverter para"), min_value=1)
    motivo = forms.CharField(
        label=_("Motivo"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Informe o motivo da reversão.")},
    )
