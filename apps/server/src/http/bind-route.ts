import type { RouteDefinition, RouteHandlerResult, RouteRequest } from "@paysign/contracts";
import type { Request, Response, Router } from "express";
import type { z } from "zod";
import { AppError } from "../errors.ts";
import type { AdminAuth, Authenticator } from "./auth.ts";
import { requestIdOf } from "./error-handler.ts";

type RouteContext = {
  requestId: string;
  /** Set on customer routes: the signed-in customer. */
  customerId: string;
  /** Set on admin routes: how the request was authenticated. */
  admin: AdminAuth | undefined;
  /** Adds a header to the answer (the console's session cookie). */
  setHeader(name: string, value: string): void;
};

export type BoundHandler<R extends RouteDefinition> = (
  request: RouteRequest<R>,
  context: RouteContext,
) => Promise<RouteHandlerResult<R>>;

export type BindOptions = {
  authenticator: Authenticator;
  /** Outside production every answer is checked against its declared schema, so contract drift fails tests. */
  checkResponses: boolean;
};

function issuesOf(error: z.ZodError, location: string) {
  return error.issues.map((issue) => ({ location, path: issue.path.join("."), message: issue.message }));
}

function parsePart(schema: z.ZodType | undefined, value: unknown, location: string): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const details = issuesOf(parsed.error, location);
    const first = details[0];
    throw new AppError(
      "BAD_REQUEST",
      `Invalid request ${location}${first ? `: ${first.path ? `${first.path}: ` : ""}${first.message}` : ""}.`,
      details,
    );
  }
  return parsed.data;
}

/**
 * Mounts one contract route: authentication, then request parsing, then the handler, then the declared answer.
 * Curried so that the route fixes the handler's type before the handler is read (its literal statuses stay literal).
 */
export function bindRoute<R extends RouteDefinition>(
  router: Router,
  route: R,
  options: BindOptions,
): (handler: BoundHandler<R>) => void {
  return (handler) => mountRoute({ router, route, handler, options });
}

function mountRoute<R extends RouteDefinition>(mount: {
  router: Router;
  route: R;
  handler: BoundHandler<R>;
  options: BindOptions;
}): void {
  const { router, route, handler, options } = mount;
  const method = route.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";
  router[method](route.path, async (req: Request, res: Response) => {
    let customerId = "";
    if (route.security === "customer") customerId = await options.authenticator.customer(req);
    const admin = route.security === "admin" ? await options.authenticator.admin(req) : undefined;

    const request = {
      params: parsePart(route.params, req.params, "path"),
      query: parsePart(route.query, req.query, "query"),
      headers: parsePart(route.headers, req.headers, "headers"),
      body: parsePart(route.body, req.body, "body"),
    } as RouteRequest<R>;
    const setHeader = (name: string, value: string) => void res.setHeader(name, value);
    const result = await handler(request, { requestId: requestIdOf(req), customerId, admin, setHeader });

    const schema = route.responses[result.status];
    if (options.checkResponses) {
      const checked = schema?.safeParse(result.body);
      if (!checked?.success) {
        throw new Error(
          `${route.operationId} answered ${result.status} with a body its contract does not declare: ` +
            JSON.stringify(checked?.error.issues ?? "undeclared status"),
        );
      }
    }
    if (result.status === 204) res.status(204).end();
    else if (route.responseContentType === "text/plain") res.status(result.status).type("text/plain").send(result.body);
    else res.status(result.status).json(result.body);
  });
}
