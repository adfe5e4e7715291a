from django import forms
from django.utils.translation import gettext_lazy as _


class DecisaoForm(forms.Form):
    motivo = forms.CharField(
        label=_("Motivo"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class MotivoObrigatorioForm(DecisaoForm):
    motivo = forms.CharField(
        label=_("Motivo"),
        required=True,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Informe o motivo da decisão.")},
    )
