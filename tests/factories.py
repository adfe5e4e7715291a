import uuid
from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from backlog.models import Dependencia, Item, Status
from fabrica.models import Ambiente


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
