"""A stand-in build backend for conformance/corpus.py's sdist downloads.

`pip download` always runs the sdist's metadata hook, and with --no-build-isolation it
imports the backend the sdist names from the environment. That fails for old flit
projects: flit_core 4.2.0 rejects [tool.flit.metadata], and older sdists name the
`flit.buildapi` backend, not installed here. corpus.py then retries with this folder on
PYTHONPATH: in the hook's subprocess only (where pyproject_hooks has put the backend's
name in the environment), this registers a module under the backend's name that
reports just the name and version pip asked for.
"""

import os
import sys
import types


def _stub():
    backend = os.environ.get("_PYPROJECT_HOOKS_BUILD_BACKEND") or os.environ.get("PEP517_BUILD_BACKEND")
    name, version = os.environ.get("FORGE_CORPUS_STUB_NAME"), os.environ.get("FORGE_CORPUS_STUB_VERSION")
    if not (backend and name and version):
        return  # pip itself, not a hook subprocess
    module_name, _, obj = backend.partition(":")

    def get_requires_for_build_wheel(config_settings=None):
        return []

    def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
        folder = name.replace("-", "_") + "-" + version + ".dist-info"
        os.makedirs(os.path.join(metadata_directory, folder))
        with open(os.path.join(metadata_directory, folder, "METADATA"), "w") as f:
            f.write("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version))
        return folder

    parts = module_name.split(".")
    for i in range(1, len(parts) + 1):  # parents too, as import_module imports them first
        sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
    module = sys.modules[module_name]
    module.get_requires_for_build_wheel = get_requires_for_build_wheel
    module.prepare_metadata_for_build_wheel = prepare_metadata_for_build_wheel
    if obj:
        setattr(module, obj, module)

_stub()
