import {
  adminCreateWebhookEndpoint,
  adminDeleteWebhookEndpoint,
  adminGetWebhookEndpoint,
  adminListWebhookEndpoints,
  adminRotateWebhookEndpointSecret,
  adminUpdateWebhookEndpoint,
} from "@paysign/contracts";
import { Router } from "express";
import { bindRoute, type BindOptions } from "../http/bind-route.ts";
import type { ServiceDeps } from "../services/deps.ts";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
} from "../services/webhook-endpoints.ts";
import { presentWebhookEndpoint } from "./presenters.ts";

/** Webhook endpoints for operators (issue #19): CRUD and secret rotation; secrets leave only in 201/rotation answers. */
export function adminWebhookEndpointRoutes(deps: ServiceDeps, options: BindOptions): Router {
  const router = Router();

  bindRoute(
    router,
    adminCreateWebhookEndpoint,
    options,
  )(async ({ body }) => {
    const created = await createWebhookEndpoint(deps, body);
    return { status: 201, body: { endpoint: presentWebhookEndpoint(created.endpoint), secret: created.secret } };
  });

  bindRoute(
    router,
    adminListWebhookEndpoints,
    options,
  )(async () => {
    const endpoints = await listWebhookEndpoints(deps);
    return { status: 200, body: { items: endpoints.map(presentWebhookEndpoint) } };
  });

  bindRoute(
    router,
    adminGetWebhookEndpoint,
    options,
  )(async ({ params }) => ({ status: 200, body: presentWebhookEndpoint(await getWebhookEndpoint(deps, params.id)) }));

  bindRoute(
    router,
    adminUpdateWebhookEndpoint,
    options,
  )(async ({ params, body }) => ({
    status: 200,
    body: presentWebhookEndpoint(await updateWebhookEndpoint(deps, params.id, body)),
  }));

  bindRoute(
    router,
    adminDeleteWebhookEndpoint,
    options,
  )(async ({ params }) => {
    await deleteWebhookEndpoint(deps, params.id);
    return { status: 204, body: null };
  });

  bindRoute(
    router,
    adminRotateWebhookEndpointSecret,
    options,
  )(async ({ params, body }) => {
    const rotated = await rotateWebhookEndpointSecret(deps, params.id, body);
    return { status: 200, body: { endpoint: presentWebhookEndpoint(rotated.endpoint), secret: rotated.secret } };
  });

  return router;
}
