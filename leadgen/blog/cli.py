"""`flask --app wsgi blog ...`"""

import click


@click.group("blog")
def blog_cli():
    """Manage the blog's articles."""
