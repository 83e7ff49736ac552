"""The extension objects, created here and wired to the app by the factory; and the JSON API's blueprint class."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from marshmallow import ValidationError
from sqlalchemy.orm import DeclarativeBase
from webargs.flaskparser import FlaskParser


class Base(DeclarativeBase):
    """The declarative base of every model."""


db = SQLAlchemy(model_class=Base)
mail = Mail()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()
api = Api()


LONE_SURROGATE = (
    "This text contains a broken character (half of a UTF-16 pair, such as \\ud800): send it as valid Unicode."
)


def has_lone_surrogate(value) -> bool:
    """True when a JSON value holds, at any depth, a string with a lone surrogate: JSON can
    escape one ("\\ud800") but it has no UTF-8 form, so no database or mail could take it."""
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(has_lone_surrogate(key) or has_lone_surrogate(item) for key, item in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(item) for item in value)
    return False


class RequestBodyParser(FlaskParser):
    """webargs' parser for every API body, refusing what json.loads takes but no field can:

    - JSON nested too deeply (RecursionError) or a number of thousands of digits (ValueError
      from Python's int-from-string limit): 400 "Invalid JSON body.", like any other non-JSON;
    - a string with a lone surrogate, in any field: 422 naming the field (nothing is stored).
    """

    def load_json(self, req, schema):
        try:
            body = super().load_json(req, schema)
        except (RecursionError, ValueError) as error:
            return self._handle_invalid_json_error(error, req)
        if isinstance(body, dict):
            broken = {
                key.encode(errors="replace").decode(): [LONE_SURROGATE]
                for key, value in body.items()
                if has_lone_surrogate(key) or has_lone_surrogate(value)
            }
        else:
            broken = {"_schema": [LONE_SURROGATE]} if has_lone_surrogate(body) else {}
        if broken:
            raise ValidationError(broken)
        return body


class ApiBlueprint(SmorestBlueprint):
    """A blueprint of the JSON API (flask-smorest), reading bodies with RequestBodyParser."""

    ARGUMENTS_PARSER = RequestBodyParser()
