"""Request validation for the order endpoint, with JSON Schema."""
import jsonschema

ORDER_SCHEMA = {
    "type": "object",
    "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}},
    "required": ["sku", "quantity"],
}


def validate_order(payload):
    validator = jsonschema.Draft7Validator(ORDER_SCHEMA)
    return [error.message for error in validator.iter_errors(payload)]
