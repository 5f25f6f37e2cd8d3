// Graphs as the API answers them (compute_graph in app/engine/expr/graph.py), shared by the graph
// page's unit tests.

/** CS231n's f = (x + y) z at x = -2, y = 5, z = -4, as the program q = x + y; f = q * z. */
export const CS231N = {
  output: -12.0,
  output_id: 4,
  nodes: [
    { id: 0, op: "var", label: "x", inputs: [], value: -2.0, grad: -4.0, local: [] },
    { id: 1, op: "var", label: "y", inputs: [], value: 5.0, grad: -4.0, local: [] },
    { id: 2, op: "var", label: "z", inputs: [], value: -4.0, grad: 3.0, local: [] },
    { id: 3, op: "add", label: "+", inputs: [0, 1], value: 3.0, grad: -4.0, local: [1.0, 1.0], name: "q" },
    { id: 4, op: "mul", label: "*", inputs: [3, 2], value: -12.0, grad: 1.0, local: [-4.0, 3.0], name: "f" },
  ],
  forward_order: [0, 1, 2, 3, 4],
  backward_order: [4, 3, 2, 1, 0],
  gradients: { x: -4.0, y: -4.0, z: 3.0 },
  exact: { x: -4.0, y: -4.0, z: 3.0 },
  numeric: { x: -4.000000000026205, y: -3.9999999998485687, z: 2.9999999999752442 },
  nonfinite: 0,
  expand: false,
  h: 1e-5,
};
