"""Reads an export of `midwa query` with a reader that is not this project's, and prints what it
read as JSON lines, one observation a line, for tests/tests/exports.rs to compare with the
answer itself.

    read_export.py sdmx FILE       pysdmx's SDMX-CSV 2.0 reader
    read_export.py dhis2 FILE      checked against dhis2-data-value-set.schema.json
    read_export.py hxl FILE        libhxl
"""

import json
import pathlib
import sys


def sdmx(path):
    from pysdmx.io import read_sdmx

    message = read_sdmx(path)
    for dataset in message.data:
        print(json.dumps({"structure": dataset.short_urn}))
        frame = dataset.data
        for _, row in frame.iterrows():
            observation = dict(dataset.attributes)
            observation.update({k: str(v) for k, v in row.items()})
            print(json.dumps(observation))


def dhis2(path):
    import jsonschema

    schema_file = pathlib.Path(__file__).with_name("dhis2-data-value-set.schema.json")
    schema = json.loads(schema_file.read_text())
    document = json.loads(pathlib.Path(path).read_text())
    jsonschema.validate(document, schema)
    for value in document["dataValues"]:
        print(json.dumps(value))


def hxl(path):
    import hxl as libhxl

    data = libhxl.data(str(path), libhxl.InputOptions(allow_local=True))
    tags = [column.display_tag for column in data.columns]
    print(json.dumps({"tags": tags}))
    for row in data:
        print(json.dumps({tag: row.get(tag) for tag in tags}))


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    {"sdmx": sdmx, "dhis2": dhis2, "hxl": hxl}[kind](path)
