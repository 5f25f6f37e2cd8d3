"""axe-core on every page, keyboard reach and order, labelled plots, and no cloud upload."""

import pytest

EXPLORERS = ["/derivative", "/activations", "/descent", "/network", "/graph", "/train"]
PLOTTED = [p for p in EXPLORERS if p != "/graph"]  # /graph draws SVG, not Plotly
# Explorers in an error state: the marks and messages must pass axe too.
BROKEN = [
    "/derivative?expr=x**2%2By",
    "/descent?expr=x1%2By",
    "/network?data=custom&X=1,a&T=0",
    "/graph?expr=q+%3D+x+%2B",
]
# The exercise modes: answer boxes on the graph, the prediction controls, the sketch.
EXERCISES = [
    "/graph?expr=q+%3D+x+*+y%0Ar+%3D+x+%2B+z%0Af+%3D+q+%2B+r&values=x%3A2%2Cy%3A3%2Cz%3A1&turn=1",
    "/derivative?expr=sin(x)&x0=1&predict=1",
    "/activations?act=relu&sketch=1",
]
FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]),"
    " textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])"
)


@pytest.mark.parametrize("path", ["/", *EXPLORERS, *BROKEN, *EXERCISES])
def test_no_serious_or_critical_axe_violations(page, ui, problems, path):
    problems.allow(r"status of 422")
    ui.open(page, path)
    assert ui.axe(page) == []


@pytest.mark.parametrize("path", ["/", *EXPLORERS, *EXERCISES])
def test_every_control_is_reached_by_tab_in_document_order(page, ui, path):
    ui.open(page, path)
    stops = ui.tab_order(page)
    missing = page.evaluate(
        """([sel, marks]) => [...document.querySelectorAll(sel)]
            .filter((e) => e.checkVisibility() && !(e.type === 'radio' && !e.checked))
            .filter((e) => !marks.includes(e.dataset.tabMark))
            .map((e) => e.id || e.outerHTML.slice(0, 80))""",
        [FOCUSABLE, [s["mark"] for s in stops]],
    )
    assert missing == []
    in_order = page.evaluate(
        """(marks) => marks.map((m) => document.querySelector(`[data-tab-mark="${m}"]`))
            .every((e, i, all) => i === 0
                || (all[i - 1].compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING))""",
        [s["mark"] for s in stops],
    )
    assert in_order, [s["id"] or s["tag"] for s in stops]
    # Plotly's mode bar: at most two buttons (save, reset) per plot, not seven.
    per_plot: dict[str, int] = {}
    for s in stops:
        if s["modebar"]:
            per_plot[s["plot"]] = per_plot.get(s["plot"], 0) + 1
    assert all(n <= 2 for n in per_plot.values()), per_plot


@pytest.mark.parametrize("path", PLOTTED)
def test_plots_are_titled_labelled_and_offer_no_cloud_upload(page, ui, path):
    ui.open(page, path)
    plots = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')]
            .filter((gd) => gd.checkVisibility() && gd.layout)
            .map((gd) => ({id: gd.id, label: gd.getAttribute('aria-label'),
              title: gd.layout.title && gd.layout.title.text,
              x: gd.layout.xaxis.title.text, y: gd.layout.yaxis.title.text,
              cloud: gd._context.showSendToCloud || gd._context.showEditInChartStudio,
              logo: gd._context.displaylogo,
              buttons: [...gd.querySelectorAll('.modebar-btn')].map((b) => b.dataset.title)}))"""
    )
    assert plots
    for p in plots:
        assert p["title"] and p["x"] and p["y"], p
        assert p["label"] == p["title"], p  # what a screen reader announces for the figure
        assert not p["cloud"] and not p["logo"], p
        assert set(p["buttons"]) <= {"Download plot as a PNG", "Reset axes"}, p
    assert page.locator("text=Edit in Chart Studio").count() == 0
