"""Memory models: sc and tso (operational, for the machine), arm (ARMv8), aarch32 (A32 under
ARMv8 rules), armv7 (ARMv7, arm.cat), rc11/c11 (source)."""

from __future__ import annotations

from fencelab.errors import FencelabError


def get_model(name: str):
    """The operational model called `name` (a fresh instance)."""
    from fencelab.models.operational.armv7.model import ARMv7
    from fencelab.models.operational.sc import SC
    from fencelab.models.operational.tso import TSO

    models = {"sc": SC, "tso": TSO, "armv7": ARMv7}  # armv7: ARMv7 (arm.cat), not MCA
    try:
        from fencelab.models.operational.arm.aarch32 import AArch32
        from fencelab.models.operational.arm.model import ARM  # the ARMv8 model, when present

        models["arm"] = ARM
        models["aarch32"] = AArch32  # A32 under ARMv8 AArch32 rules (the arm model)
    except ImportError:
        pass
    if name not in models:
        raise FencelabError(f"unknown model {name!r}; valid: {', '.join(models)}")
    return models[name]()
