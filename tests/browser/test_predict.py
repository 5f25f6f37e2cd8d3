"""Predict first: the slope and the best h on the derivative page, a sketched f′ on the
activations page; each judged by POST /api/v1/exercises/predict and only then revealed."""

PREDICT = "/api/v1/exercises/predict"


def _judged(page, ui, act) -> dict:
    with page.expect_response(lambda r: r.url.endswith(PREDICT)) as info:
        act()
    ui.settle(page)
    return info.value.json()


def _tangent_visible(page) -> bool:
    return page.evaluate(
        "() => document.getElementById('plot-f').layout.shapes"
        ".find((s) => s.name === 'tangent').visible !== false"
    )


def test_predict_a_slope_with_the_keyboard_then_the_tangent_appears(page, ui):
    ui.open(page, "/derivative?expr=sin(x)&x0=1&predict=1")
    ui.settle(page)
    assert not _tangent_visible(page)
    assert not page.is_visible("#n-exact")  # the numbers that give it away are hidden too
    page.focus("#pr-angle")
    for _ in range(56):  # 0.5° a step: to 28°, a slope of 0.53
        page.keyboard.press("ArrowRight")
    guess = page.evaluate(
        "() => document.getElementById('plot-f').layout.shapes.find((s) => s.name === 'your slope')"
    )
    assert guess is not None
    r = _judged(page, ui, lambda: page.keyboard.press("Enter"))
    assert r["verdict"] == "close" and abs(r["expected"] - 0.5403023058681398) < 1e-12
    assert abs(r["answer"] - 0.5317) < 1e-3
    text = page.inner_text("#pr-verdict")
    assert text.startswith("close: your slope 0.5317") and "0.5403" in text
    assert _tangent_visible(page) and page.is_visible("#n-exact")


def test_type_a_slope_as_a_fraction(page, ui):
    ui.open(page, "/derivative?expr=x**2&x0=1&predict=1")
    ui.settle(page)
    page.fill("#pr-slope", "-2/3")
    r = _judged(page, ui, lambda: page.press("#pr-slope", "Enter"))
    assert r["verdict"] == "far" and r["expected"] == 2
    assert page.get_attribute("#pr-verdict", "data-verdict") == "far"


def test_predict_the_best_h_by_clicking_the_plot_before_the_curve(page, ui):
    ui.open(page, "/derivative?expr=sin(x)&x0=1&predict=1")
    ui.settle(page)
    shown = "() => document.getElementById('plot-sweep').data.some((t) => t.visible !== false)"
    assert not page.evaluate(shown)
    area = page.locator("#plot-sweep .nsewdrag").first.bounding_box()
    # x axis from 1e-16.2 to 1e-0.8: 70% across is about 1e-5.4
    page.mouse.click(area["x"] + area["width"] * 0.7, area["y"] + area["height"] * 0.5)
    picked = float(page.input_value("#pr-h"))
    assert -6 < picked < -5
    r = _judged(page, ui, lambda: page.click("#pr-h-go"))
    assert r["verdict"] == "close" and 1e-6 < r["expected"] < 1e-4
    assert page.evaluate(shown)
    assert "decades off" in page.inner_text("#pr-h-verdict")


def _sketch_box(page):
    return page.locator("#sketch-svg").bounding_box()


def test_sketch_relu_prime_with_the_mouse(page, ui):
    ui.open(page, "/activations?act=relu&sketch=1")
    ui.settle(page)
    assert not page.is_visible("#plot-df")  # f′ stays hidden while sketching
    box = _sketch_box(page)
    y0 = box["y"] + box["height"] * (10 + 2 / 3 * 266) / 300  # f′ = 0 (y range −1..2)
    y1 = box["y"] + box["height"] * (10 + 1 / 3 * 266) / 300  # f′ = 1
    page.mouse.move(box["x"] + box["width"] * 0.07, y0)
    page.mouse.down()
    for i in range(41):
        x = box["x"] + box["width"] * (0.07 + 0.9 * i / 40)
        page.mouse.move(x, y0 if i < 20 else y1)
    page.mouse.up()
    r = _judged(page, ui, lambda: page.click("#sketch-go"))
    assert r["verdict"] == "close" and r["kinks"] == [0.0]
    assert page.inner_text("#sketch-verdict").startswith("close: score")
    assert page.is_visible("#plot-df")  # revealed
    assert page.locator("#sketch-svg .sk-true").count() == 1


def test_sketch_tanh_prime_with_the_keyboard(page, ui):
    ui.open(page, "/activations?act=tanh&sketch=1&xmin=-3&xmax=3")
    ui.settle(page)
    page.focus("#sketch-svg")
    page.keyboard.press("Home")
    for i in range(41):
        x = -3 + 6 * i / 40
        target = 1 - __import__("math").tanh(x) ** 2
        for _ in range(round(target / 0.05)):
            page.keyboard.press("ArrowUp")
        page.keyboard.press("ArrowRight")
    assert "your f′" in page.get_attribute("#sketch-svg", "aria-valuetext")
    r = _judged(page, ui, lambda: page.keyboard.press("Enter"))
    assert r["verdict"] == "close" and r["error"] < 0.05
    far = "/activations?act=tanh&sketch=1&xmin=-3&xmax=3"
    ui.open(page, far)
    ui.settle(page)
    page.focus("#sketch-svg")
    r = _judged(page, ui, lambda: page.keyboard.press("Enter"))  # flat 0: far, worst at 0
    assert r["verdict"] == "far" and abs(r["worst_x"]) < 0.1
    assert page.get_attribute("#sketch-verdict", "data-verdict") == "far"


def test_drag_the_guessed_tangent_on_the_plot(page, ui):
    ui.open(page, "/derivative?expr=x**2&x0=1&xmin=-3&xmax=3&predict=1")
    ui.settle(page)
    area = page.locator("#plot-f .nsewdrag").first.bounding_box()
    # Drag to a point well right of x0 = 1 and at the plot's top: a steep positive slope.
    page.mouse.move(area["x"] + area["width"] * 0.7, area["y"] + area["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] * 0.9, area["y"] + area["height"] * 0.1, steps=5)
    page.mouse.up()
    slope = float(page.input_value("#pr-slope").replace("−", "-"))
    assert slope > 1
    assert not _tangent_visible(page)
    guess = page.evaluate(
        "() => document.getElementById('plot-f').layout.shapes.find((s) => s.name === 'your slope')"
    )
    assert abs((guess["y1"] - guess["y0"]) / (guess["x1"] - guess["x0"]) - slope) < 0.01 * slope
    r = _judged(page, ui, lambda: page.click("#pr-slope-go"))
    assert r["expected"] == 2 and abs(r["answer"] - slope) < 0.01 * slope
