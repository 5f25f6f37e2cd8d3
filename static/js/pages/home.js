// The home page: links and formulas only, so no plotly.js.
import { start } from "../kit/page.js";

start();
