/* /docs: the Swagger UI over this server's OpenAPI document (a file, not an inline script,
   so that the page's Content-Security-Policy needs no 'unsafe-inline' for scripts). */
"use strict";
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: false, // its link sat inside each operation's button: focusable in a focusable
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
