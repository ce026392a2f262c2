"""Model zoo: plain ``nn.Module``s built by name from a registry, as in the official LIIF code."""
from . import edsr, liif, lmliif, mlp, rdn  # noqa: F401  (registration side effects)
from .liif import LIIF, make_coord
from .lmliif import LMLIIF
from .registry import list_architectures, make, register

__all__ = ["LIIF", "LMLIIF", "list_architectures", "make", "make_coord", "register"]
