"""The generic hook's body: our own documented shape, for relays without a parser here."""

from marshmallow import Schema, fields, validate


class GenericEventSchema(Schema):
    """`{type: "bounce"|"complaint", email, permanent?}`; a bounce is permanent unless it says not."""

    type = fields.String(required=True, validate=validate.OneOf(("bounce", "complaint")))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    permanent = fields.Boolean(load_default=True)
