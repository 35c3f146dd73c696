"""Where the instructor kit keeps its parts: the source notebooks, the releases, the reference
solutions. The hidden suites and reference solutions are the kit's own files (the instructor's
copy), whatever course directory nbgrader works in.

The kit's root comes from configuration: ``$RNNKIT_KIT`` when set, else the checkout this
package lies in (the nearest folder above it holding source/, solutions/ and autograder/). A
RuntimeError says what to do when neither is the kit.
"""

import os
from pathlib import Path

ENVIRONMENT = "RNNKIT_KIT"


def _is_kit(folder: Path) -> bool:
    return all((folder / part).is_dir() for part in ("source", "solutions", "autograder"))


def _kit_root() -> Path:
    configured = os.environ.get(ENVIRONMENT)
    if configured:
        root = Path(configured).expanduser().resolve()
        if not _is_kit(root):
            raise RuntimeError(f"${ENVIRONMENT} is {configured}, which is not the kit's "
                               f"checkout (it has no source/, solutions/ and autograder/): point "
                               f"it at the kit's folder, or unset it")
        return root
    here = Path(__file__).resolve()
    for folder in here.parents:
        if _is_kit(folder):
            return folder
    raise RuntimeError(f"the instructor kit's files (source/, solutions/, autograder/) are not "
                       f"above {here.parent}: run rnnkit from the kit's checkout, or set "
                       f"${ENVIRONMENT} to it")


KIT_ROOT = _kit_root()
SOURCE = KIT_ROOT / "source"
RELEASES = KIT_ROOT / "assignments"
SOLUTIONS = KIT_ROOT / "solutions"
