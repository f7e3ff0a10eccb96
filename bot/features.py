"""Importing this registers every command and card verb (each feature registers at import)
and connects the features to each other."""

import dialogs.anchoring
import dialogs.assessment  # noqa: F401
import dialogs.decisions
import dialogs.help  # noqa: F401
import dialogs.needs.lists  # noqa: F401
import dialogs.needs.search  # noqa: F401
import dialogs.wheel  # noqa: F401

# An anchored decision basis goes to its steering group's channel.
if dialogs.decisions.post_basis not in dialogs.anchoring.ON_BASIS_READY:
    dialogs.anchoring.ON_BASIS_READY.append(dialogs.decisions.post_basis)
