"""Policy rules PV101–PV109 and the registry that third-party rules join (`auditor.rules`)."""
