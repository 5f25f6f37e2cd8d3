// plotly.js with only what the pages draw: its core (scatter, the cartesian axes, legend, hover,
// annotations, shapes, colour bars, the mode bar) and the heatmap and contour traces. The
// official cartesian bundle adds bar, box, histogram*, image, pie, violin, scatterternary and
// the world calendars, and takes about 1.7x as long to start (see ./build).
var Plotly = require("plotly.js/lib/core");

Plotly.register([require("plotly.js/lib/heatmap"), require("plotly.js/lib/contour")]);

module.exports = Plotly;
