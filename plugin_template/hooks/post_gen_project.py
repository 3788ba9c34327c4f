"""Remove the optional static/ and templates/ directories unless they were asked for."""
import shutil
from pathlib import Path

package = Path("{{ cookiecutter.underscored }}")
if "{{ cookiecutter.include_static_directory }}" != "yes":
    shutil.rmtree(package / "static")
if "{{ cookiecutter.include_templates_directory }}" != "yes":
    shutil.rmtree(package / "templates")
