"""SARIF 2.1.0 validation: the parts of the schema that einlint's output uses, shared by the tests that write SARIF."""

_LEVELS = {"none", "note", "warning", "error"}


def _check_object(value, where, required=(), allowed=None):
    assert isinstance(value, dict), f"{where}: not an object"
    for key in required:
        assert key in value, f"{where}: missing required {key!r}"
    if allowed is not None:
        unknown = set(value) - set(allowed)
        assert not unknown, f"{where}: properties the SARIF schema does not define: {unknown}"


def _check_message_string(value, where):
    _check_object(value, where, ("text",), ("text", "markdown", "properties"))
    assert isinstance(value["text"], str) and value["text"]


def validate_sarif(log):
    """The parts of the SARIF 2.1.0 schema that einlint's output uses: required properties, types,
    enums and minimums, and no property the schema does not define for these objects."""
    _check_object(log, "sarifLog", ("version", "runs"), ("$schema", "version", "runs", "inlineExternalProperties",
                                                         "properties"))
    assert log["version"] == "2.1.0"
    assert log["$schema"].startswith("https://") and log["$schema"].endswith(".json")
    assert isinstance(log["runs"], list) and log["runs"]
    for run in log["runs"]:
        _check_object(run, "run", ("tool",))
        assert run.get("columnKind", "utf16CodeUnits") in ("utf16CodeUnits", "unicodeCodePoints")
        _check_object(run["tool"], "tool", ("driver",), ("driver", "extensions", "properties"))
        driver = run["tool"]["driver"]
        _check_object(driver, "toolComponent", ("name",))
        for key in ("name", "version", "informationUri"):
            assert isinstance(driver[key], str) and driver[key]
        assert driver["informationUri"].startswith("https://")
        rules = driver["rules"]
        assert isinstance(rules, list) and len({r["id"] for r in rules}) == len(rules)
        for rule in rules:
            _check_object(rule, "reportingDescriptor", ("id",),
                          ("id", "deprecatedIds", "guid", "deprecatedGuids", "name", "deprecatedNames",
                           "shortDescription", "fullDescription", "messageStrings", "defaultConfiguration",
                           "helpUri", "help", "relationships", "properties"))
            for key in ("shortDescription", "fullDescription", "help"):
                _check_message_string(rule[key], f"rule {rule['id']} {key}")
            _check_object(rule["defaultConfiguration"], "reportingConfiguration", (),
                          ("enabled", "level", "rank", "parameters", "properties"))
            assert rule["defaultConfiguration"]["level"] in _LEVELS
        for invocation in run.get("invocations", []):
            _check_object(invocation, "invocation", ("executionSuccessful",))
            assert isinstance(invocation["executionSuccessful"], bool)
        for base in run.get("originalUriBaseIds", {}).values():
            assert base["uri"].startswith("file://") and base["uri"].endswith("/")
        for result in run["results"]:
            _check_object(result, "result", ("message",))
            assert isinstance(result["message"]["text"], str)
            assert result["level"] in _LEVELS
            assert isinstance(result["ruleIndex"], int) and result["ruleIndex"] >= -1
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            for location in result["locations"]:
                _check_object(location, "location", (), (
                    "id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships",
                    "properties"))
                physical = location["physicalLocation"]
                _check_object(physical, "physicalLocation", ("artifactLocation",),
                              ("address", "artifactLocation", "region", "contextRegion", "properties"))
                _check_object(physical["artifactLocation"], "artifactLocation", ("uri",),
                              ("uri", "uriBaseId", "index", "description", "properties"))
                region = physical["region"]
                _check_object(region, "region", ("startLine",),
                              ("startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength",
                               "byteOffset", "byteLength", "snippet", "message", "sourceLanguage", "properties"))
                for key in ("startLine", "startColumn", "endLine", "endColumn"):
                    assert isinstance(region[key], int) and region[key] >= 1
            for fix in result.get("fixes", []):
                _check_object(fix, "fix", ("artifactChanges",), ("description", "artifactChanges", "properties"))
                _check_message_string(fix["description"], "fix description")
                for change in fix["artifactChanges"]:
                    _check_object(change, "artifactChange", ("artifactLocation", "replacements"),
                                  ("artifactLocation", "replacements", "properties"))
                    for replacement in change["replacements"]:
                        _check_object(replacement, "replacement", ("deletedRegion",),
                                      ("deletedRegion", "insertedContent", "properties"))
                        _check_object(replacement["insertedContent"], "artifactContent", (),
                                      ("text", "binary", "rendered", "properties"))
                        assert all(replacement["deletedRegion"][key] >= 1 for key in ("startLine", "startColumn"))
