import { describe, expectTypeOf, test } from "vitest";
import type {
  Agreement,
  AgreementDetail,
  ApiRoutes,
  PathParamNames,
  RouteHandler,
  RouteHandlerResult,
  RouteRequest,
  RouteResponse,
} from "../src/index.ts";

// These assertions are checked by `tsc` (pnpm typecheck runs over test/), not at run time.

type GetAgreement = ApiRoutes["getAgreement"];
type Result = RouteHandlerResult<GetAgreement>;

describe("route handler types", () => {
  test("the statuses are exactly the declared ones", () => {
    expectTypeOf<Result["status"]>().toEqualTypeOf<200 | 400 | 401 | 404 | 429 | 500 | 503>();
  });

  test("a declared status with its body is accepted", () => {
    expectTypeOf<{ status: 200; body: AgreementDetail }>().toExtend<Result>();
    expectTypeOf({
      status: 404 as const,
      body: { error: { code: "NOT_FOUND" as const, message: "no such agreement", requestId: "r1" } },
    }).toExtend<Result>();
  });

  test("an undeclared status is refused", () => {
    expectTypeOf<{ status: 418; body: AgreementDetail }>().not.toExtend<Result>();
    expectTypeOf<{ status: 201; body: AgreementDetail }>().not.toExtend<Result>();
    // @ts-expect-error 409 is not declared for getAgreement
    const conflict: Result = { status: 409, body: { error: { code: "CONFLICT", message: "m", requestId: "r" } } };
    void conflict;
  });

  test("a body of the wrong shape, or for the wrong status, is refused", () => {
    expectTypeOf<{ status: 200; body: Agreement }>().not.toExtend<Result>();
    expectTypeOf<{
      status: 200;
      body: { error: { code: "NOT_FOUND"; message: string; requestId: string } };
    }>().not.toExtend<Result>();
    expectTypeOf<{
      status: 404;
      body: { error: { code: "INTERNAL"; message: string; requestId: string } };
    }>().not.toExtend<Result>();
    // @ts-expect-error a 200 must carry the agreement detail
    const wrong: Result = { status: 200, body: { id: "x" } };
    void wrong;
  });

  test("the notification route answers text literals per status", () => {
    type Notify = RouteHandlerResult<ApiRoutes["receiveAlipayNotification"]>;
    expectTypeOf<{ status: 200; body: "success" }>().toExtend<Notify>();
    expectTypeOf<{ status: 200; body: "fail" }>().not.toExtend<Notify>();
    expectTypeOf<{ status: 503; body: "fail" }>().toExtend<Notify>();
  });

  test("handlers get parsed params, query, headers and body", () => {
    type Request = RouteRequest<ApiRoutes["reportSignResult"]>;
    expectTypeOf<Request["params"]>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<Request["body"]["resultStatus"]>().toEqualTypeOf<"7000" | "7001" | "7002" | "6001" | "6002">();
    expectTypeOf<Request["query"]>().toEqualTypeOf<undefined>();
    type ListQuery = RouteRequest<ApiRoutes["adminListCharges"]>["query"];
    expectTypeOf<ListQuery["limit"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<RouteHandler<GetAgreement>>().returns.toEqualTypeOf<Result | Promise<Result>>();
  });

  test("clients see parsed bodies", () => {
    type Response = RouteResponse<ApiRoutes["createAgreement"]>;
    expectTypeOf<Extract<Response, { status: 201 }>["body"]["signStr"]>().toEqualTypeOf<string>();
  });

  test("path parameter names come from the path", () => {
    expectTypeOf<PathParamNames<"/admin/v1/agreements/:id/defer">>().toEqualTypeOf<"id">();
    expectTypeOf<PathParamNames<"/a/:x/b/:y">>().toEqualTypeOf<"x" | "y">();
    expectTypeOf<PathParamNames<"/healthz">>().toBeNever();
  });
});
