import { z } from "zod";
import { isoDateTimeSchema } from "../../wire-formats.ts";

/** A customer, known by Alipay user id (2088…) or open id, whichever the app receives. */
export const customerSchema = z
  .object({
    id: z.uuid(),
    alipayUserId: z.string().nullable(),
    alipayOpenId: z.string().nullable(),
    createdAt: isoDateTimeSchema,
  })
  .meta({ id: "Customer" });
export type Customer = z.infer<typeof customerSchema>;

/** `POST /api/v1/sessions`: the mini program's `my.getAuthCode` result. */
export const createSessionBodySchema = z.strictObject({ authCode: z.string().min(1).max(256) }).meta({
  id: "CreateSessionBody",
});
export type CreateSessionBody = z.infer<typeof createSessionBodySchema>;

export const sessionSchema = z
  .object({
    token: z.string().meta({ description: "Send as Authorization: Bearer <token>" }),
    expiresAt: isoDateTimeSchema,
    customer: customerSchema,
  })
  .meta({ id: "Session" });
export type Session = z.infer<typeof sessionSchema>;
