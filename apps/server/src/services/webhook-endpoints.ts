import { randomBytes, randomUUID } from "node:crypto";
import {
  WEBHOOK_SECRET_OVERLAP_HOURS,
  type CreateWebhookEndpointBody,
  type RotateWebhookSecretBody,
  type UpdateWebhookEndpointBody,
} from "@paysign/contracts";
import { AppError, notFound } from "../errors.ts";
import {
  deleteWebhookEndpointById,
  findWebhookEndpointById,
  findWebhookEndpoints,
  insertWebhookEndpoint,
  lockWebhookEndpoint,
  updateWebhookEndpointById,
  type WebhookEndpointRow,
} from "../repositories/webhook-endpoints.ts";
import { checkWebhookEndpointUrl } from "../webhooks/endpoint-url.ts";
import type { ServiceDeps } from "./deps.ts";

/** Bytes of a signing key: Standard Webhooks asks for 24 to 64; 32 is SHA-256's block-free key size. */
const SECRET_BYTES = 32;
const HOUR_MS = 3_600_000;

/** An endpoint as operators see it: the row, and until when its previous secret still signs (null: none). */
export type WebhookEndpointView = { row: WebhookEndpointRow; previousSecretValidUntil: Date | null };

/** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes, what `new Webhook(secret)` takes. */
function createWebhookSecret(): string {
  return `whsec_${randomBytes(SECRET_BYTES).toString("base64")}`;
}

function viewOf(row: WebhookEndpointRow, now: Date): WebhookEndpointView {
  const until = row.previousSecret === null ? null : row.previousSecretExpiresAt;
  return { row, previousSecretValidUntil: until && until > now ? until : null };
}

function checkUrl(deps: ServiceDeps, url: string) {
  return checkWebhookEndpointUrl(url, { production: deps.config.webhookPublicTargetsOnly });
}

export async function listWebhookEndpoints(deps: ServiceDeps): Promise<WebhookEndpointView[]> {
  const [rows, now] = await Promise.all([findWebhookEndpoints(deps.db.prisma), deps.clock.now()]);
  return rows.map((row) => viewOf(row, now));
}

/** @throws AppError NOT_FOUND */
export async function getWebhookEndpoint(deps: ServiceDeps, id: string): Promise<WebhookEndpointView> {
  const row = await findWebhookEndpointById(deps.db.prisma, id);
  if (!row) throw notFound("Webhook endpoint");
  return viewOf(row, await deps.clock.now());
}

/**
 * Registers an endpoint with a new secret, returned this once (never logged, never shown again).
 * @throws AppError BAD_REQUEST when the URL breaks the rules of `webhooks/endpoint-url.ts`.
 */
export async function createWebhookEndpoint(
  deps: ServiceDeps,
  body: CreateWebhookEndpointBody,
): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  const { url } = await checkUrl(deps, body.url);
  const now = await deps.clock.now();
  const secret = createWebhookSecret();
  const enabled = body.enabled ?? true;
  const row = await insertWebhookEndpoint(deps.db.prisma, {
    id: randomUUID(),
    url,
    description: body.description || null,
    eventTypes: body.eventTypes ?? [],
    enabled,
    secret,
    disabledAt: enabled ? null : now,
  });
  deps.logger.info({ webhookEndpointId: row.id, enabled }, "webhook endpoint created");
  return { endpoint: viewOf(row, now), secret };
}

/**
 * A partial update. Disabling records when; enabling clears why paysign had disabled it (`disabledReason`,
 * `disabledAt`, `failingSince`), so deliveries start again from a clean slate.
 * @throws AppError NOT_FOUND, BAD_REQUEST (URL rules)
 */
export async function updateWebhookEndpoint(
  deps: ServiceDeps,
  id: string,
  body: UpdateWebhookEndpointBody,
): Promise<WebhookEndpointView> {
  const current = await findWebhookEndpointById(deps.db.prisma, id);
  if (!current) throw notFound("Webhook endpoint");
  const url = body.url === undefined ? undefined : (await checkUrl(deps, body.url)).url;
  const now = await deps.clock.now();
  const enabling = body.enabled === true;
  const disabling = body.enabled === false && current.enabled;
  const row = await updateWebhookEndpointById(deps.db.prisma, id, {
    ...(url === undefined ? {} : { url }),
    ...(body.description === undefined ? {} : { description: body.description || null }),
    ...(body.eventTypes === undefined ? {} : { eventTypes: body.eventTypes }),
    ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
    ...(enabling ? { disabledReason: null, disabledAt: null, failingSince: null } : {}),
    ...(disabling ? { disabledAt: now } : {}),
  });
  if (!row) throw notFound("Webhook endpoint");
  deps.logger.info({ webhookEndpointId: id, enabled: row.enabled }, "webhook endpoint updated");
  return viewOf(row, now);
}

/** Removes the endpoint and its deliveries. @throws AppError NOT_FOUND */
export async function deleteWebhookEndpoint(deps: ServiceDeps, id: string): Promise<void> {
  if (!(await deleteWebhookEndpointById(deps.db.prisma, id))) throw notFound("Webhook endpoint");
  deps.logger.info({ webhookEndpointId: id }, "webhook endpoint deleted");
}

/**
 * Issues a new secret. The current one becomes the previous secret, valid `overlapHours` more (0–168, default 24;
 * 0: at once). Deliveries are signed with both while both are valid.
 *
 * While an earlier rotation's overlap runs, a rotation is refused: it would replace the previous secret, which
 * receivers may still hold, with one no receiver has yet (a retried rotation would break every receiver at once).
 * Only an explicit `overlapHours: 0` goes ahead then, dropping the previous secret and replacing the current one now.
 * @throws AppError NOT_FOUND; CONFLICT while an overlap runs (unless overlapHours is 0), saying until when.
 */
export async function rotateWebhookEndpointSecret(
  deps: ServiceDeps,
  id: string,
  body: RotateWebhookSecretBody,
): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  const now = await deps.clock.now();
  const overlapHours = body.overlapHours ?? WEBHOOK_SECRET_OVERLAP_HOURS.default;
  const secret = createWebhookSecret();
  // Locked: of two rotations at once the second sees the first's overlap (and is refused) instead of overwriting it.
  const row = await deps.db.prisma.$transaction(async (tx) => {
    const current = await lockWebhookEndpoint(tx, id);
    if (!current) return null;
    const running = viewOf(current, now).previousSecretValidUntil;
    if (running && overlapHours !== 0) throw overlapRunning(running);
    return updateWebhookEndpointById(tx, id, {
      secret,
      previousSecret: overlapHours === 0 ? null : current.secret,
      previousSecretExpiresAt: overlapHours === 0 ? null : new Date(now.getTime() + overlapHours * HOUR_MS),
    });
  });
  if (!row) throw notFound("Webhook endpoint");
  deps.logger.info({ webhookEndpointId: id, overlapHours }, "webhook endpoint secret rotated");
  return { endpoint: viewOf(row, now), secret };
}

function overlapRunning(until: Date): AppError {
  const iso = until.toISOString();
  return new AppError(
    "CONFLICT",
    `the previous secret stays valid until ${iso}: finish the rotation first: wait until ${iso}, ` +
      "or rotate with overlapHours 0 to drop the previous secret now (the current one is replaced at once too)",
  );
}
