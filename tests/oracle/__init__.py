"""An independent oracle for the parts every engine shares (the article lookup and the category resolution).

Written apart from `clemency.law` and the compiled plan, from the Criminal Code table's text and the rules of
the registry format: it imports nothing from `clemency`. Tests compare it with the engines' decisions.
"""

from oracle.code import Code, Resolved, covered_by, load_code, split_citation

__all__ = ["Code", "Resolved", "covered_by", "load_code", "split_citation"]
