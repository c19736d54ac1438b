"""Only the build step pyproject.toml cannot say: compile the gettext catalog (zz.po → zz.mo)
into the built package. Pure Python (zhengzhi_cli/locale/__init__.py), no gettext tools needed."""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOG = Path("zhengzhi_cli", "locale", "zh_CN", "LC_MESSAGES", "zz.po")


class BuildWithCatalog(build_py):
    def run(self):
        super().run()
        spec = importlib.util.spec_from_file_location("zz_locale", Path("src", "zhengzhi_cli", "locale", "__init__.py"))
        locale = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(locale)
        target = Path(self.build_lib, CATALOG).with_suffix(".mo")
        target.parent.mkdir(parents=True, exist_ok=True)
        locale.build_mo(Path("src", CATALOG), target)


setup(cmdclass={"build_py": BuildWithCatalog})
