// ESLint (flat config) for the pages' modules; `make test` runs it with `tsc --checkJs`.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".venv/", "static/vendor/", "tests/browser/vendor/", "static/js/types/"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js", "tests/js/**/*.js"],
    languageOptions: { ecmaVersion: 2024, sourceType: "module", globals: { ...globals.browser } },
    rules: {
      eqeqeq: ["error", "always"],
      "no-var": "error",
      "prefer-const": "error",
      "no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-implicit-globals": "error",
      "no-restricted-syntax": [
        "error",
        {
          selector: "ThrowStatement > ObjectExpression",
          message: "throw an Error (e.g. fieldError), not a plain object",
        },
      ],
      "no-restricted-globals": ["error", { name: "event", message: "use the handler's parameter" }],
      "max-len": ["error", { code: 120, ignoreUrls: true, ignoreTemplateLiterals: true, ignoreStrings: true }],
    },
  },
  { files: ["static/js/docs.js"], languageOptions: { globals: { SwaggerUIBundle: "readonly" } } },
  { files: ["tests/js/**/*.js", "eslint.config.js"], languageOptions: { globals: { ...globals.node } } },
  { files: ["scripts/**/*.js"], languageOptions: { sourceType: "commonjs", globals: { ...globals.node } } },
];
