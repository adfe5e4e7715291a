import uuid
from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from backlog.models import Dependencia, Item, Status
from fabrica.models import Ambiente, Release, Spec
from prometheus_site.busca import normalizar


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    tipo = "tarefa_teste"
    produtor = "teste"
    status = Status.PENDENTE
    contexto = factory.LazyFunction(dict)


class ItemComStatusFactory(ItemFactory):
    """An item already in any status, with the fields its status requires by the database
    (a lease while ``EmProcessamento``, a date once ``Concluido``)."""

    consumidor = factory.LazyAttribute(lambda o: "consumidor-teste" if o.status == Status.EM_PROCESSAMENTO else "")
    tentativas = factory.LazyAttribute(lambda o: 1 if o.status in (Status.EM_PROCESSAMENTO, Status.FALHA) else 0)
    lease_token = factory.LazyAttribute(lambda o: uuid.uuid4() if o.status == Status.EM_PROCESSAMENTO else None)
    lease_expira_em = factory.LazyAttribute(
        lambda o: timezone.now() + timedelta(minutes=5) if o.status == Status.EM_PROCESSAMENTO else None
    )
    concluido_em = factory.LazyAttribute(lambda o: timezone.now() if o.status == Status.CONCLUIDO else None)


class DependenciaFactory(factory.django.DjangoModelFactory):
    """``item`` waits for ``depende_de``; the dependency is created first, so it is the older."""

    class Meta:
        model = Dependencia

    depende_de = factory.SubFactory(ItemFactory)
    item = factory.SubFactory(ItemFactory, status=Status.BLOQUEADO)


class AmbienteFactory(factory.django.DjangoModelFactory):
    """An environment of the directory target; ``grupos_aprovadores=["PO"]`` names the groups
    whose members approve its deployments."""

    class Meta:
        model = Ambiente
        skip_postgeneration_save = True

    nome = factory.Sequence(lambda n: f"ambiente_{n}")

    @factory.post_generation
    def grupos_aprovadores(self, create: bool, nomes: list[str] | None, **kwargs) -> None:
        if create and nomes:
            self.grupos_aprovadores.set(Group.objects.filter(name__in=nomes))


class SpecFactory(factory.django.DjangoModelFactory):
    """A spec row as the API stores it, for tests about what comes after a spec (a real spec is
    imported with ``fabrica.specs.services.spec_importar``)."""

    class Meta:
        model = Spec

    spec_id = factory.Sequence(lambda n: f"spec_teste_{n}")
    titulo = factory.LazyAttribute(lambda o: f"Spec {o.spec_id}")
    texto = factory.LazyAttribute(lambda o: f"id: {o.spec_id}\n")
    conteudo = factory.LazyAttribute(lambda o: {"id": o.spec_id, "vertentes": ["E"]})
    sha256 = "a" * 64
    origem = Spec.Origem.API
    # As spec_importar writes it: what the inbox's search matches.
    busca = factory.LazyAttribute(lambda o: normalizar(f"{o.spec_id} {o.titulo}"))


class ReleaseFactory(factory.django.DjangoModelFactory):
    """A release row as development records it: its spec's reference, the concluded
    ``desenvolvimento`` item it came from, its tests passed; open unless ``status`` says otherwise."""

    class Meta:
        model = Release

    spec = factory.SubFactory(SpecFactory)
    spec_ref = factory.LazyAttribute(lambda o: o.spec.spec_id)
    spec_sha256 = factory.LazyAttribute(lambda o: o.spec.sha256)
    versao = factory.Sequence(lambda n: n + 1)
    item_origem = factory.SubFactory(ItemComStatusFactory, tipo="desenvolvimento", status=Status.CONCLUIDO)
    testes_passaram = True
