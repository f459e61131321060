"""Install the top-level folders core/, adapters/, plugins/ and cli/ as storysync.<folder>.

find_packages keeps every subpackage without a hand-written list (one that silently drops new
subpackages from the wheel); hatchling cannot express this mapping for editable installs.
"""

from setuptools import find_packages, setup

TOP_LEVEL = ["core", "adapters", "plugins", "cli"]

setup(
    packages=[f"storysync.{name}" for name in find_packages(include=[f"{top}*" for top in TOP_LEVEL])],
    package_dir={f"storysync.{top}": top for top in TOP_LEVEL},
)
