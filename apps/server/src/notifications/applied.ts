import type { NotificationOutcome } from "../generated/prisma/enums.ts";

/** What a verified notification did, as recorded on its inbox row. */
export type Applied = { outcome: NotificationOutcome; detail: string };
