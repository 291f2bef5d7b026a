"gitools: detect AI-generated images; the GenImage benchmark, its detectors and protocols, transfer learning across generators."
import warnings as _warnings
from importlib.metadata import version as _version, PackageNotFoundError as _PNF
try: __version__ = _version('gitools')
except _PNF: __version__ = '0.0.0'
# fastai 2.8 decorates functions with torch.jit.script when it is imported, which torch 2.14 deprecates: not ours to fix
_warnings.filterwarnings('ignore', message=r'`torch\.jit\.script` is deprecated', category=FutureWarning)
