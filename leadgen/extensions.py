"""The extension objects, created here and wired to the app by the factory; and the JSON API's blueprint class."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
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


class RequestBodyParser(FlaskParser):
    """webargs' parser, with JSON nested too deeply for json.loads (RecursionError) refused
    like any other body that is not JSON: 400 "Invalid JSON body.", never a 500."""

    def load_json(self, req, schema):
        try:
            return super().load_json(req, schema)
        except RecursionError as error:
            return self._handle_invalid_json_error(error, req)


class ApiBlueprint(SmorestBlueprint):
    """A blueprint of the JSON API (flask-smorest), reading bodies with RequestBodyParser."""

    ARGUMENTS_PARSER = RequestBodyParser()
