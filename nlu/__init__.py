"""Shaosheng NLU: text -> intent, category, urgency, entities, emergency kind.

    from nlu import load_parser
    parser = load_parser(settings, gazetteer=org_tree_names)
    result = parser.parse("楼道里好大一股煤气味")   # sync, thread-safe, never raises
"""

from nlu.loader import load_parser
from nlu.parser import BuiltinParser, Parser
from nlu.schema import Entity, Label, Parse
from nlu.settings import NluSettings

__all__ = ["BuiltinParser", "Entity", "Label", "NluSettings", "Parse", "Parser", "load_parser"]
