import type { Prisma } from "../generated/prisma/client.ts";

/** A Prisma client inside an interactive transaction: repositories take one so a caller can group writes. */
export type Tx = Prisma.TransactionClient;
