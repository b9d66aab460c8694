"""The configuration screen: pick target, lowering scheme and memory model."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from fencelab.isa.registry import TARGETS
from fencelab.models.registry import OPERATIONAL, model_names
from fencelab.tui.session import ARMV7_NOTE, Session


class ConfigScreen(ModalScreen["tuple[str | None, str, str | None] | None"]):
    """Pick target, scheme and model. Dismisses with (target, scheme, model) or None."""

    BINDINGS = [
        Binding("escape,q", "cancel", "close"),
        Binding("question_mark", "help", "help", key_display="?"),
    ]

    def __init__(self, session: Session):
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        s = self.session
        targets = s.target_choices()
        models = self.models_for(s.target)
        schemes = self.schemes_for(s.target)
        with Vertical(id="config"):
            yield Label(Text(f"Configure {s.test.name}", style="bold"))
            yield Label("target" + ("" if s.test.is_source else f" ({s.test.arch} test)"))
            yield Select([(t, t) for t in targets], value=s.target, allow_blank=False,
                         id="target", disabled=len(targets) < 2, compact=True)  # fmt: skip
            yield Label("lowering scheme" + ("" if s.test.is_source else " (source tests only)"))
            yield Select(schemes, value=_kept(s.options.scheme.name, schemes), allow_blank=False,
                         id="scheme", disabled=not s.test.is_source, compact=True)  # fmt: skip
            yield Label("memory model (those covering the target's code)")
            chosen = s.options.model.name if s.options.model else ""
            yield Select([("the target's own", "")] + [(m, m) for m in models],
                         value=chosen if chosen in models else "", allow_blank=False, id="model",
                         compact=True)  # fmt: skip
            yield Static(Text(ARMV7_NOTE, style="italic dim"))
            with Horizontal(id="config-buttons"):
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Cancel", id="cancel")

    @staticmethod
    def models_for(target: str) -> tuple[str, ...]:
        """The operational models that cover the code `target` runs (x86: sc, tso...)."""
        return model_names(OPERATIONAL, TARGETS[target].arch.name)

    @staticmethod
    def schemes_for(target: str) -> list[tuple[str, str]]:
        """The schemes written for `target` (`Scheme.covers`, as `--scheme` is refused on a
        target it is not written for), as the scheme list's (label, name) options."""
        from fencelab.lowering.schemes import SCHEMES

        return [(f"{n}: {_short(sc.summary)}", n) for n, sc in SCHEMES.items()
                if sc.covers(TARGETS[target])]  # fmt: skip

    @on(Select.Changed, "#target")
    def _target_changed(self, event: Select.Changed) -> None:
        """Offer only the schemes written for the newly chosen target, and the models that
        cover its code (a choice kept if it still fits, else the default)."""
        schemes = self.schemes_for(str(event.value))
        select = self.query_one("#scheme", Select)
        keep = _kept(str(select.value), schemes)
        select.set_options(schemes)
        select.value = keep
        models = self.models_for(str(event.value))
        select = self.query_one("#model", Select)
        keep = select.value if select.value in models else ""
        select.set_options([("the target's own", "")] + [(m, m) for m in models])
        select.value = keep

    def action_help(self) -> None:
        from fencelab.tui.help import HelpScreen

        self.app.push_screen(HelpScreen())

    @on(Button.Pressed, "#apply")
    def apply(self) -> None:
        target = self.query_one("#target", Select).value
        scheme = self.query_one("#scheme", Select).value
        model = self.query_one("#model", Select).value
        self.dismiss((str(target), str(scheme), str(model) or None))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _kept(scheme: str, schemes: list[tuple[str, str]]) -> str:
    """`scheme` if it is among `schemes`, else the default scheme (written for every target)."""
    from fencelab.lowering.schemes import DEFAULT_SCHEME

    return scheme if any(name == scheme for _, name in schemes) else DEFAULT_SCHEME.name


def _short(text: str, width: int = 52) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
