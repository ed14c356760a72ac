import {
  ADMIN_SESSION_COOKIE,
  adminCreateSession,
  adminDeleteSession,
  adminGetOverview,
  adminGetSession,
  adminListNotifications,
  type AdminNotification,
  type AdminSession,
} from "@paysign/contracts";
import { Router } from "express";
import { AppError } from "../errors.ts";
import type { AdminAuth } from "../http/auth.ts";
import { bindRoute, type BindOptions } from "../http/bind-route.ts";
import type { NotificationRow } from "../repositories/notification-list.ts";
import { ADMIN_SESSION_TTL_SECONDS, type AdminSessions } from "../services/admin-sessions.ts";
import { getConsoleOverview } from "../services/console-overview.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { findNotifications } from "../services/notification-list.ts";

/** `Set-Cookie` for the console's session: only for the admin API, never to scripts, never cross-site. */
function sessionCookie(value: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  const attributes = [
    `${ADMIN_SESSION_COOKIE}=${value}`,
    "Path=/admin/v1",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${options.maxAgeSeconds}`,
  ];
  if (options.secure) attributes.push("Secure");
  return attributes.join("; ");
}

function presentSession(auth: AdminAuth | undefined): AdminSession {
  if (auth?.by === "cookie") return { authenticatedBy: "cookie", expiresAt: auth.expiresAt.toISOString() };
  return { authenticatedBy: "key", expiresAt: null };
}

function presentNotification(row: NotificationRow): AdminNotification {
  return {
    id: row.id,
    notifyId: row.notifyId,
    notifyType: row.notifyType,
    agreementNo: row.agreementNo,
    outTradeNo: row.outTradeNo,
    outcome: row.outcome,
    detail: row.detail,
    params: row.params,
    receivedAt: row.receivedAt.toISOString(),
  };
}

/** The merchant console's routes: its session cookie, the overview and the notification inbox. */
export function adminConsoleRoutes(deps: ServiceDeps & { adminSessions: AdminSessions }, options: BindOptions): Router {
  const router = Router();
  // Secure cookies need HTTPS; outside production the API is plain HTTP on loopback.
  const secure = deps.config.nodeEnv === "production";

  bindRoute(
    router,
    adminCreateSession,
    options,
  )(async (_request, context) => {
    // Only the admin key buys a session: a cookie that renewed itself would outlive every sign-out.
    if (context.admin?.by !== "key") {
      throw new AppError(
        "UNAUTHORIZED",
        "Sign in with the admin key in x-admin-key; a console session cannot renew itself.",
      );
    }
    const { token, expiresAt } = deps.adminSessions.issue();
    context.setHeader("set-cookie", sessionCookie(token, { maxAgeSeconds: ADMIN_SESSION_TTL_SECONDS, secure }));
    return Promise.resolve({
      status: 200,
      body: { authenticatedBy: "cookie", expiresAt: expiresAt.toISOString() },
    });
  });

  bindRoute(
    router,
    adminGetSession,
    options,
  )(async (_request, context) => Promise.resolve({ status: 200, body: presentSession(context.admin) }));

  bindRoute(
    router,
    adminDeleteSession,
    options,
  )(async (_request, context) => {
    if (context.admin?.by === "cookie") await deps.adminSessions.revoke(context.admin.token);
    context.setHeader("set-cookie", sessionCookie("", { maxAgeSeconds: 0, secure }));
    return { status: 200, body: { signedOut: true } };
  });

  bindRoute(
    router,
    adminGetOverview,
    options,
  )(async ({ query }) => ({ status: 200, body: await getConsoleOverview(deps, query) }));

  bindRoute(
    router,
    adminListNotifications,
    options,
  )(async ({ query }) => {
    const page = await findNotifications(deps, query);
    return { status: 200, body: { items: page.rows.map(presentNotification), nextCursor: page.nextCursor } };
  });

  return router;
}
