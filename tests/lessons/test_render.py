"""A lesson may come from anyone: what it says renders as text, never as markup or script."""

import pytest

from app.lessons.render import render


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "<svg onload=alert(1)></svg>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "![img](javascript:alert(1))",
        "<javascript:alert(1)>",
    ],
)
def test_raw_html_and_unsafe_links_render_inert(text):
    html = render(text)
    for tag in ("<script", "<svg", "<a ", "<img"):
        assert tag not in html


def test_href_in_tex_stays_tex_for_katex_without_trust():
    html = render("$$\n\\href{javascript:alert(1)}{click}\n$$\n\nand $\\href{javascript:x}{y}$")
    assert "<a " not in html
    assert html.count('data-tex="\\href{javascript:alert(1)}{click}"') == 1
    assert 'class="tex"' in html and 'class="tex display"' in html


def test_tex_survives_markdown():
    html = render("So $a_1*b_2 + c_1*d_2$ and $x<y$ and $$\\frac{a}{b}$$.")
    assert 'data-tex="a_1*b_2 + c_1*d_2"' in html
    assert 'data-tex="x&lt;y"' in html
    assert "<em>" not in html


def test_tex_cannot_break_out_of_its_attribute():
    html = render('$x" onmouseover="alert(1)$')
    assert 'onmouseover="' not in html and "&quot;" in html


def test_safe_links_stay_links():
    html = render(
        "[graph](/graph?step=2) [top](#a) [ref](https://cs231n.github.io) [mail](mailto:a@b.c)"
    )
    assert html.count("<a href=") == 4
