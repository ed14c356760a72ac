import express, { type Router } from "express";
import { alipayAmountToFen } from "@paysign/contracts";
import type { SandboxDeps } from "../sandbox-deps.ts";
import { createLogonId, createToken, createUserId } from "../state/ids.ts";
import type { SandboxUser } from "../state/types.ts";
import { AuthCodeBody, BalanceBody, CreateUserBody, type SandboxAuthCodeView } from "./control-api.ts";
import { ControlError, parseBody } from "./control-error.ts";
import { viewUser } from "./record-views.ts";

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
    const answer: SandboxAuthCodeView = { authCode };
    response.json(answer);
  });
  return router;
}
