import type { Prisma, WebhookEndpoint } from "../generated/prisma/client.ts";
import type { Tx } from "./transaction.ts";

export type WebhookEndpointRow = WebhookEndpoint;

/** Every endpoint, oldest first. */
export function findWebhookEndpoints(db: Tx): Promise<WebhookEndpointRow[]> {
  return db.webhookEndpoint.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

export function findWebhookEndpointById(db: Tx, id: string): Promise<WebhookEndpointRow | null> {
  return db.webhookEndpoint.findUnique({ where: { id } });
}

export function insertWebhookEndpoint(db: Tx, data: Prisma.WebhookEndpointCreateInput): Promise<WebhookEndpointRow> {
  return db.webhookEndpoint.create({ data });
}

/** Null when no endpoint has this id. */
export async function updateWebhookEndpointById(
  db: Tx,
  id: string,
  data: Prisma.WebhookEndpointUpdateInput,
): Promise<WebhookEndpointRow | null> {
  const updated = await db.webhookEndpoint.updateManyAndReturn({ where: { id }, data });
  return updated[0] ?? null;
}

/** Deletes the endpoint (its deliveries and their attempts cascade); false when no endpoint has this id. */
export async function deleteWebhookEndpointById(db: Tx, id: string): Promise<boolean> {
  const { count } = await db.webhookEndpoint.deleteMany({ where: { id } });
  return count > 0;
}

/** Locks the endpoint's row until the caller's transaction ends (a rotation reads the secret it replaces). */
export async function lockWebhookEndpoint(tx: Tx, id: string): Promise<WebhookEndpointRow | null> {
  await tx.$queryRaw`SELECT 1 FROM "WebhookEndpoint" WHERE "id" = ${id}::uuid FOR UPDATE`;
  return tx.webhookEndpoint.findUnique({ where: { id } });
}
