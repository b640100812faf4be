"""The engine as the web application uses it: one instance per process, with the
indicator registry in the database."""

from __future__ import annotations

from functools import lru_cache

from canhgiac.engine import Engine, EngineConfig, Indicators, KnownIndicator


class DatabaseRegistry:
    """Confirmed indicators from the registry, as the engine's IndicatorLookup."""

    def known(self, indicators: Indicators) -> list[KnownIndicator]:
        from canhgiac.web.indicators.models import Indicator

        wanted: dict[str, set[str]] = {
            "phone": {p.e164 for p in indicators.phones},
            "bank_account": {a.number for a in indicators.bank_accounts},
            "domain": {host for link in indicators.links for host in link.hosts()},
            "page": {link.page for link in indicators.links},
        }
        values = {v for vs in wanted.values() for v in vs}
        if not values:
            return []
        found = Indicator.objects.filter(status=Indicator.Status.CONFIRMED, value__in=values).values_list("kind", "value")
        return [KnownIndicator(kind, value) for kind, value in found if value in wanted.get(kind, ())]


@lru_cache(maxsize=1)
def engine() -> Engine:
    return Engine(EngineConfig(registry=DatabaseRegistry()))
