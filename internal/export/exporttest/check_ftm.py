"""Check a FollowTheMoney export with the followthemoney library.

Reads entities, one JSON object a line, from each file named as an
argument, and prints a JSON list with one report per file: the number of
entities, the count per schema, and every problem found. (One process for
many files: importing the library takes seconds.) A problem is:

- a line that is not a JSON object of exactly id, schema and properties;
- an id that is not a valid FtM entity id, or an id used twice;
- a schema the model does not know, or an abstract one;
- an entity the library will not load (model.get_proxy with cleaned=False,
  the strict reading meant for untrusted data);
- a property its schema does not have, or a reverse ("stub") property;
- a value that is not a non-empty string, that its type does not accept
  (type.validate), that is longer than the type allows, or that cleaning
  drops;
- a required property of the schema left out;
- a reference (an entity-typed property) to an id not in the file, or to
  an entity whose schema is not of the property's range.

Written for aidtrace's tests from followthemoney's documented model API
(Model.get, Schema.is_a, Property.type/range/stub, PropertyType.validate,
clean and max_length).
"""

import json
import sys

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.types import registry


def check(path):
    errors = []
    entities = {}
    refs = []
    schemata = {}

    def problem(line, entity_id, message):
        if len(errors) < 200:
            errors.append({"line": line, "id": entity_id, "problem": message})

    with open(path, encoding="utf-8") as fh:
        for number, text in enumerate(fh, 1):
            if not text.strip():
                problem(number, None, "empty line")
                continue
            try:
                data = json.loads(text)
            except ValueError as exc:
                problem(number, None, "not JSON: %s" % exc)
                continue
            if not isinstance(data, dict) or sorted(data) != ["id", "properties", "schema"]:
                problem(number, None, "not an object of id, schema and properties")
                continue
            eid, sname, props = data["id"], data["schema"], data["properties"]
            if not isinstance(eid, str) or not registry.entity.validate(eid):
                problem(number, eid, "invalid entity id")
                continue
            if eid in entities:
                problem(number, eid, "id used twice")
            schema = model.get(sname) if isinstance(sname, str) else None
            if schema is None:
                problem(number, eid, "unknown schema %r" % (sname,))
                continue
            if schema.abstract:
                problem(number, eid, "abstract schema %s" % sname)
            entities[eid] = schema
            schemata[sname] = schemata.get(sname, 0) + 1
            if not isinstance(props, dict):
                problem(number, eid, "properties is not an object")
                continue
            try:
                proxy = model.get_proxy(data, cleaned=False)
            except (InvalidData, ValueError, TypeError) as exc:
                problem(number, eid, "the library refuses it: %s" % exc)
                continue
            for name, values in props.items():
                prop = schema.get(name)
                if prop is None:
                    problem(number, eid, "%s has no property %r" % (sname, name))
                    continue
                if prop.stub:
                    problem(number, eid, "%s is a reverse property" % name)
                if not isinstance(values, list) or not values:
                    problem(number, eid, "%s: not a non-empty list" % name)
                    continue
                for value in values:
                    if not isinstance(value, str) or not value.strip():
                        problem(number, eid, "%s: %r is not a non-empty string" % (name, value))
                        continue
                    if not prop.type.validate(value):
                        problem(number, eid, "%s: %r is not a valid %s" % (name, value[:80], prop.type.name))
                    if len(value) > prop.type.max_length:
                        problem(number, eid, "%s: value longer than %d" % (name, prop.type.max_length))
                    if prop.type.clean(value) is None:
                        problem(number, eid, "%s: cleaning drops %r" % (name, value[:80]))
                    if prop.type == registry.entity:
                        refs.append((number, eid, name, value, prop.range))
                if len(proxy.get(prop)) != len(set(values)):
                    problem(number, eid, "%s: the library keeps %d of %d values" % (name, len(proxy.get(prop)), len(set(values))))
            for name in schema.required:
                if not props.get(name):
                    problem(number, eid, "required property %s missing" % name)

    for number, eid, name, target, rng in refs:
        target_schema = entities.get(target)
        if target_schema is None:
            problem(number, eid, "%s refers to %s, which is not in the file" % (name, target))
        elif rng is not None and not target_schema.is_a(rng):
            problem(number, eid, "%s refers to a %s, not a %s" % (name, target_schema.name, rng.name))

    return {"entities": len(entities), "schemata": schemata, "errors": errors}


if __name__ == "__main__":
    json.dump([check(path) for path in sys.argv[1:]], sys.stdout)
