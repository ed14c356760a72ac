import { randomUUID } from "node:crypto";
import type { WebhookEvent, WebhookEventType } from "@paysign/contracts";
import type { Tx } from "./transaction.ts";

/** One outbound event as written: `type` is contracts' webhook event type, `data` its payload (the admin resource). */
export type WebhookEventInput = { type: WebhookEventType; agreementId: string | null; data: WebhookEvent["data"] };

export type WrittenWebhookEvent = { id: string; sequence: number | null };

/**
 * Writes one outbound event in the caller's transaction (the transactional outbox). An event of an agreement takes
 * the agreement's next `sequence` (1, 2, 3…), which locks the agreement row until the transaction ends: take it after
 * any other lock the caller holds on that agreement's rows' parents, as every writer locks the agreement first.
 */
export async function appendWebhookEvent(tx: Tx, input: WebhookEventInput): Promise<WrittenWebhookEvent> {
  const id = randomUUID();
  let sequence: number | null = null;
  if (input.agreementId !== null) {
    const rows = await tx.$queryRaw<Array<{ eventSequence: number }>>`
      UPDATE "Agreement" SET "eventSequence" = "eventSequence" + 1
      WHERE "id" = ${input.agreementId}::uuid RETURNING "eventSequence"`;
    const row = rows[0];
    if (!row) throw new Error(`appendWebhookEvent: no agreement ${input.agreementId}`);
    sequence = row.eventSequence;
  }
  await tx.$executeRaw`
    INSERT INTO "WebhookEvent" ("id", "type", "agreementId", "sequence", "data", "txid")
    VALUES (${id}::uuid, ${input.type}, ${input.agreementId}::uuid, ${sequence}, ${JSON.stringify(input.data)}::jsonb,
            pg_current_xact_id()::text::bigint)`;
  return { id, sequence };
}
