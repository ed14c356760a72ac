import { adminRoutes } from "./routes/admin.ts";
import { adminConsoleRoutes } from "./routes/admin-console.ts";
import { customerRoutes } from "./routes/customer.ts";
import { reconciliationRoutes } from "./routes/reconciliation.ts";
import { systemRoutes } from "./routes/system.ts";
import { webhookEndpointRoutes } from "./routes/webhook-endpoints.ts";
import { webhookDeliveryRoutes } from "./routes/webhook-deliveries.ts";
import { eventRoutes } from "./routes/events.ts";

export * from "./routes/admin.ts";
export * from "./routes/admin-console.ts";
export * from "./routes/customer.ts";
export * from "./routes/system.ts";
export * from "./routes/reconciliation.ts";
export * from "./routes/webhook-endpoints.ts";
export * from "./routes/webhook-deliveries.ts";
export * from "./routes/events.ts";

/** Every route of the HTTP API (docs/product.md §7), by operation id. */
export const apiRoutes = {
  ...customerRoutes,
  ...adminRoutes,
  ...adminConsoleRoutes,
  ...systemRoutes,
  ...reconciliationRoutes,
  ...webhookEndpointRoutes,
  ...webhookDeliveryRoutes,
  ...eventRoutes,
} as const;
export type ApiRoutes = typeof apiRoutes;
