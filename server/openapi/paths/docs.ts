import type { Operation } from "../registry";

export const docsOperations: Operation[] = [
  {
    operationId: "getOpenApiDocument",
    method: "get",
    path: "/openapi.json",
    summary: "This document (OpenAPI 3.1)",
    tags: ["hub"],
    security: "public",
    responses: [
      {
        status: 200,
        description: "The OpenAPI document.",
        content: {
          "application/json": {
            raw: { type: "object", required: ["openapi", "paths"], properties: { openapi: { type: "string", const: "3.1.0" }, paths: { type: "object" } } },
          },
        },
      },
    ],
    problems: {},
  },
  {
    operationId: "getApiDocs",
    method: "get",
    path: "/docs",
    summary: "The API documentation page (Swagger UI, served by the hub)",
    tags: ["hub"],
    security: "public",
    responses: [{ status: 200, description: "HTML.", content: { "text/html": { raw: { type: "string" } } } }],
    problems: {},
  },
];
