"""Training page at epoch 0 and its text (issue 27, item 18): the charts do not open on empty
−1…1 axes (the epoch axis starts at 0 and spans ten epochs; the update ratios, which start after
the first epoch, say so over an axis that shows the healthy band), and the loss select shows its
whole name ("softmax + cross-entropy", not "softmax + cro") at 1366 and at 150 % zoom."""

import pytest

SETUP = "/train?ds=xor&n=100&H=4:tanh"

# the selected option's text against the room the select gives it (less its arrow and padding)
TEXT_FITS = """(sel) => {
  const s = document.querySelector(sel), c = getComputedStyle(s);
  const span = document.createElement('span');
  span.style.font = c.font; span.style.whiteSpace = 'pre'; span.style.position = 'absolute';
  span.textContent = s.selectedOptions[0].textContent;
  document.body.append(span);
  const need = span.getBoundingClientRect().width;
  span.remove();
  const room = s.clientWidth - parseFloat(c.paddingLeft) - parseFloat(c.paddingRight) - 16;
  return {need, room, text: span.textContent};
}"""


def test_epoch_0_charts_have_sensible_axes_and_say_what_comes(page, ui):
    ui.open(page, SETUP)
    for plot in ("plot-loss", "plot-grads", "plot-ratios"):
        x = ui.layout(page, plot)["xaxis"]
        assert x["range"][0] == 0 and x["range"][1] >= 10, (plot, x["range"])
    ratios = ui.layout(page, "plot-ratios")
    lo, hi = ratios["yaxis"]["range"]
    assert lo <= -3 <= hi  # log10 of 1e-3: the healthy band is in view
    notes = " ".join(a.get("text", "") for a in ratios.get("annotations", []))
    assert "after the first epoch" in notes


@pytest.mark.parametrize(
    "viewport", [{"width": 1366, "height": 768}, {"width": 911, "height": 512}]
)
def test_the_loss_select_shows_its_whole_name(page, ui, viewport):
    page.set_viewport_size(viewport)
    try:
        ui.open(page, SETUP + "&loss=softmax_cross_entropy")
        fit = page.evaluate(TEXT_FITS, "#loss")
        assert fit["need"] <= fit["room"], fit
        fit = page.evaluate(TEXT_FITS, "#optimizer")
        assert fit["need"] <= fit["room"], fit
    finally:
        page.set_viewport_size({"width": 1366, "height": 768})
