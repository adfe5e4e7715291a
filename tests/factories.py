import factory

from backlog.models import Item, Status


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    tipo = "tarefa_teste"
    produtor = "teste"
    status = Status.PENDENTE
    contexto = factory.LazyFunction(dict)
