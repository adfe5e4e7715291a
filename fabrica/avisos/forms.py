from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PerfilForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        help_text=_("Para onde os avisos vão. Sem e-mail, nenhum aviso é enviado."),
    )
    avisos = forms.BooleanField(
        label=_("Avisar por e-mail quando uma decisão me espera"),
        required=False,
        help_text=_("Um e-mail por decisão: orçamento pronto, release pronta, implantação a validar ou que falhou."),
    )
    resumo_diario = forms.BooleanField(
        label=_("Resumo diário do que espera há mais de um dia"),
        required=False,
        help_text=_("Enviado uma vez por dia, só quando alguma decisão espera há mais de um dia."),
    )
    idioma = forms.ChoiceField(
        label=_("Idioma dos e-mails"),
        required=False,
        choices=[("", _("Padrão do site (Português)")), *settings.LANGUAGES],
    )
