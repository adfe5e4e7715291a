from django import forms
from django.utils.translation import gettext_lazy as _

from fabrica.models import Capacidade, Gap, slug_validador
from prometheus_site import vocabulario


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


OUTRO = "outro"


def tipos_conhecidos() -> list[str]:
    """The capability kinds the factory knows: the built-in ones, then any an admin or a spec
    already used (in the capabilities or in open gaps)."""
    vistos = [*Capacidade.Tipo.values]
    extras = set(Capacidade.objects.values_list("tipo", flat=True)) | set(
        Gap.objects.values_list("tipo_recurso", flat=True)
    )
    return vistos + sorted(extras - set(vistos))


def _rotulo_do_tipo(tipo: str) -> str:
    palavra = vocabulario.palavra("tipo_capacidade", tipo)
    return palavra if palavra == tipo else f"{palavra} ({tipo})"


class CapacidadeAdminForm(forms.ModelForm):
    """The type is a choice among the known kinds, with "outro" and a field for a new kind."""

    tipo = forms.ChoiceField(label=_("Tipo"))
    tipo_outro = forms.CharField(
        label=_("Outro tipo"),
        required=False,
        max_length=40,
        validators=[slug_validador],
        help_text=_("Só para o tipo “outro”: letras minúsculas, dígitos e _ (ex.: fpga)."),
    )

    class Meta:
        model = Capacidade
        fields = ["tipo", "tipo_outro", "nome", "descricao", "habilitada"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        conhecidos = tipos_conhecidos()
        campo = self.fields["tipo"]
        assert isinstance(campo, forms.ChoiceField)  # declared above
        campo.choices = [
            *((t, _rotulo_do_tipo(t)) for t in conhecidos),
            (OUTRO, _("outro…")),
        ]
        inicial = self.initial.get("tipo")
        if inicial and inicial not in conhecidos:
            self.initial["tipo"], self.initial["tipo_outro"] = OUTRO, inicial

    def clean(self):
        dados = super().clean()
        if dados.get("tipo") == OUTRO:
            outro = (dados.get("tipo_outro") or "").strip()
            if not outro and "tipo_outro" not in self.errors:
                self.add_error("tipo_outro", _("Informe o nome do novo tipo."))
            elif outro:
                dados["tipo"] = outro
                self.instance.tipo = outro
        return dados
