"""Safety that depends on what is installed beside the libraries we call."""


def test_it_parses_xlsx_through_defusedxml() -> None:
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML, "openpyxl must find defusedxml, or XLSX files are parsed without XML-bomb protection"
