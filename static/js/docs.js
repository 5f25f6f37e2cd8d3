// Swagger UI for /openapi.json, from the vendored bundle: no CDN, no inline script.
/* global SwaggerUIBundle */
const root = document.body.dataset.root || "";
window.ui = SwaggerUIBundle({
  url: `${root}/openapi.json`,
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null, // the default validator badge would call an outside host
  defaultModelsExpandDepth: 0,
  tryItOutEnabled: true,
});
