"""Chinese typefaces named on every run, so that PowerPoint and WPS do not each pick their own."""
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement

DEFAULT_EAST_ASIAN_TYPEFACE = "微软雅黑"
DEFAULT_LATIN_TYPEFACE = "Arial"


def set_typefaces(root, east_asian: str, latin: str) -> None:
    """Name the East Asian and Latin typefaces on every run and default run style under root.

    python-pptx's `font.name` writes only `a:latin`; without `a:ea` PowerPoint and WPS pick a
    CJK font by themselves, which differs from machine to machine.
    """
    for run in list(root.iter(qn("a:r"), qn("a:fld"))):
        if run.find(qn("a:rPr")) is None:
            run.insert(0, OxmlElement("a:rPr"))
    for props in list(root.iter(qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr"))):
        props.get_or_add_latin().set("typeface", latin)
        for old in props.findall(qn("a:ea")):
            props.remove(old)
        east_asian_font = OxmlElement("a:ea")
        east_asian_font.set("typeface", east_asian)
        props.find(qn("a:latin")).addnext(east_asian_font)
        if props.get("lang") is None:
            props.set("lang", "zh-CN")
