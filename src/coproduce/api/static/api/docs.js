// Starts Swagger UI on /api/v1/docs (a file of its own: the Content-Security-Policy allows no
// inline script). The OpenAPI document's address comes from the page.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: true,
    layout: "BaseLayout",
    // No badge fetched from validator.swagger.io: nothing here talks to another site.
    validatorUrl: null,
    persistAuthorization: false,
    tryItOutEnabled: false,
  });
})();
