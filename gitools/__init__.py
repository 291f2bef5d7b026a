"gitools: detect AI-generated images; the GenImage benchmark, its detectors and protocols, transfer learning across generators."
from importlib.metadata import version as _version, PackageNotFoundError as _PNF
try: __version__ = _version('gitools')
except _PNF: __version__ = '0.0.0'
