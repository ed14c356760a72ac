import express, { type Router } from "express";
import { z } from "zod";
import { alipayAmountToFen } from "@paysign/contracts";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { createLogonId, createToken, createUserId } from "../state/ids.ts";
import type { SandboxUser } from "../state/types.ts";
import { ControlError, parseBody } from "./control-error.ts";
import { viewUser } from "./record-views.ts";

const yuan = z.string().refine((value) => alipayAmountToFen(value) !== undefined, 'a yuan amount like "19.90"');
const userId = z.string().regex(/^2088\d{12}$/, "2088 followed by 12 digits");

const CreateUserBody = z.object({
  userId: userId.optional(),
  logonId: z.string().min(1).optional(),
  balance: yuan.optional(),
});
const BalanceBody = z.object({ balance: yuan });
const AuthCodeBody = z.object({ userId });

function requireUser(deps: SandboxDeps, id: string): SandboxUser {
  const user = deps.store.state.users[id];
  if (!user) throw new ControlError("NOT_FOUND", `no sandbox user ${id}; create it with POST /sandbox/users`);
  return user;
}

export function createUsersRoutes(deps: SandboxDeps): Router {
  const router = express.Router();
  const { state } = deps.store;

  /** Creates a buyer; posting an existing userId updates the given fields instead. */
  router.post("/sandbox/users", (request, response) => {
    const body = parseBody(CreateUserBody, request.body);
    const id = body.userId ?? createUserId();
    const existing = state.users[id];
    const user: SandboxUser = {
      userId: id,
      logonId: body.logonId ?? existing?.logonId ?? createLogonId(),
      balanceFen:
        body.balance !== undefined
          ? (alipayAmountToFen(body.balance) ?? 0)
          : (existing?.balanceFen ?? deps.config.defaultBalanceFen),
    };
    state.users[id] = user;
    deps.store.save();
    response.json(viewUser(user));
  });

  router.get("/sandbox/users", (_request, response) => {
    response.json(Object.values(state.users).map(viewUser));
  });

  router.post("/sandbox/users/:userId/balance", (request, response) => {
    const user = requireUser(deps, request.params.userId);
    user.balanceFen = alipayAmountToFen(parseBody(BalanceBody, request.body).balance) ?? 0;
    deps.store.save();
    response.json(viewUser(user));
  });

  router.post("/sandbox/auth-codes", (request, response) => {
    const user = requireUser(deps, parseBody(AuthCodeBody, request.body).userId);
    const authCode = createToken("");
    state.authCodes[authCode] = { code: authCode, userId: user.userId, used: false };
    deps.store.save();
    response.json({ authCode });
  });
  return router;
}
