"""Issue 27, items 4, 6 and 7, pinned: the graph page says "kink" only where there is one, with
the server's words; the Network page's default example claims no kink; LayerNorm is offered in
the layer dropdown and a link with it shows it as layernorm."""


def test_graph_at_a_kink_shows_the_servers_verdict_and_warning(page, ui):
    ui.open(page, "/graph?expr=relu(x)%20%2B%20abs(x)&values=x:0")
    page.wait_for_selector("#card-grads [data-verdict]")
    assert page.get_attribute("#card-grads [data-verdict]", "data-verdict") == "kink"
    text = page.inner_text("#grad-warnings")
    assert "relu(x) is not differentiable at x = 0" in text and "abs(x)" in text


def test_graph_without_a_kink_says_nothing_of_kinks(page, ui):
    ui.open(page, "/graph?expr=x%20*%20x&values=x:3")
    page.wait_for_selector("#card-grads [data-verdict]")
    assert page.get_attribute("#card-grads [data-verdict]", "data-verdict") != "kink"
    assert "kink" not in page.inner_text("#card-grads").lower()


def test_network_default_example_claims_no_kink(page, ui):
    ui.open(page, "/network")
    page.wait_for_selector("#gc-table [data-verdict]")
    verdicts = page.eval_on_selector_all(
        "#gc-table [data-verdict]", "els => els.map(e => e.dataset.verdict)"
    )
    assert verdicts and "kink" not in verdicts, verdicts
    assert "near a kink" not in page.inner_text("body")


def test_layernorm_is_offered_and_a_link_keeps_it(page, ui):
    ui.open(page, "/network?L=affine:3:he:0~layernorm~tanh~affine:4:he:1~softmax")
    options = page.eval_on_selector(
        "select[aria-label='type of layer 1']", "s => [...s.options].map(o => o.value)"
    )
    assert "layernorm" in options and "batchnorm" in options
    assert page.input_value("select[aria-label='type of layer 1']") == "layernorm"
    assert "layernorm" in page.inner_text("#graph")
