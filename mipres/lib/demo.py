"""Finds each installed app's `demo` module (see accounts/demo.py), lowest layer first."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps


def demo_modules() -> list:
    modules = []
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if find_spec(name) is not None:
            modules.append(import_module(name))
    return modules
