"""What templates use is installed by create_app's register functions, not by page blueprints:
the outbox worker renders mail with none of the pages' routes in mind."""

from flask import Flask
from jinja2 import nodes

from leadgen import PROJECT_ROOT
from leadgen.templating import register_template_helpers

# Names a template may call that are not globals: Jinja's own.
JINJA_CALLABLES = {"caller", "super", "range", "dict", "lipsum", "cycler", "joiner", "namespace"}


def filters_and_calls(env, template: str) -> tuple[set[str], set[str]]:
    """The filters a template uses and the names it calls that it does not define or import itself."""
    tree = env.parse(env.loader.get_source(env, template)[0])
    own = {macro.name for macro in tree.find_all(nodes.Macro)}
    for imported in tree.find_all(nodes.FromImport):
        own |= {name if isinstance(name, str) else name[1] for name in imported.names}
    calls = {call.node.name for call in tree.find_all(nodes.Call) if isinstance(call.node, nodes.Name)}
    return {used.name for used in tree.find_all(nodes.Filter)}, calls - own - JINJA_CALLABLES


def test_mail_templates_need_only_the_registered_helpers():
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"))  # no blueprint at all
    register_template_helpers(app)
    env = app.jinja_env
    mail = env.list_templates(filter_func=lambda name: name.startswith("email/"))
    assert len(mail) > 20
    for template in mail:
        filters, calls = filters_and_calls(env, template)
        assert filters <= set(env.filters), (template, filters - set(env.filters))
        assert calls <= set(env.globals), (template, calls - set(env.globals))
