"""The /-/{{ cookiecutter.hyphenated }} page: the plugin's name and version."""
from datasette import Response

from . import __version__

NAME = "{{ cookiecutter.hyphenated }}"


async def about(datasette, request):
    data = {"plugin": NAME, "version": __version__}
{%- if cookiecutter.include_templates_directory == "yes" %}
    if not request.url_vars.get("format"):
        context = dict(data, css_url=datasette.urls.static_plugins("{{ cookiecutter.underscored }}", f"{NAME}.css"))
        return Response.html(await datasette.render_template(f"{NAME}.html", context, request=request))
{%- endif %}
    return Response.json(data)
