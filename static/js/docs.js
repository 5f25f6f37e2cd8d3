// Swagger UI for /openapi.json, from the vendored bundle: no CDN, no inline script.
const root = document.body.dataset.root || "";
// @ts-expect-error: the vendored bundle defines this global; it has no types here.
SwaggerUIBundle({
  url: `${root}/openapi.json`,
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null, // the default validator badge would call an outside host
  defaultModelsExpandDepth: 0,
  tryItOutEnabled: true,
});
