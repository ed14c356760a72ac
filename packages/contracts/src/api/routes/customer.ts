import { z } from "zod";
import { errorResponses } from "../errors.ts";
import { customerAuthHeadersSchema, idParamsSchema, listOf } from "../common.ts";
import { CUSTOMER_API_PATHS } from "../paths.ts";
import { route } from "../route.ts";
import {
  agreementDetailSchema,
  agreementSchema,
  createAgreementBodySchema,
  createdAgreementSchema,
  signResultAnswerSchema,
  signResultBodySchema,
} from "../resources/agreement.ts";
import { createSessionBodySchema, sessionSchema } from "../resources/customer.ts";
import { planSchema } from "../resources/plan.ts";

export const createSession = route({
  method: "POST",
  path: CUSTOMER_API_PATHS.sessions,
  operationId: "createSession",
  summary: "Sign in with a mini program auth code (alipay.system.oauth.token)",
  tags: ["customer"],
  security: "none",
  body: createSessionBodySchema,
  responses: {
    201: sessionSchema,
    ...errorResponses(
      "BAD_REQUEST",
      "UNAUTHORIZED",
      "RATE_LIMITED",
      "INTERNAL",
      "ALIPAY_UNAVAILABLE",
      "SERVICE_UNAVAILABLE",
      "MERCHANT_UNAVAILABLE",
    ),
  },
});

/** Public: listing active plans reveals nothing personal and lets the mini program render before sign-in. */
export const listPlans = route({
  method: "GET",
  path: CUSTOMER_API_PATHS.plans,
  operationId: "listPlans",
  summary: "Active plans",
  tags: ["customer"],
  security: "none",
  responses: {
    200: listOf(planSchema),
    ...errorResponses("RATE_LIMITED", "INTERNAL", "SERVICE_UNAVAILABLE"),
  },
});

export const createAgreement = route({
  method: "POST",
  path: CUSTOMER_API_PATHS.agreements,
  operationId: "createAgreement",
  summary: "Start signing a plan: a PENDING agreement and the signStr for my.paySignCenter",
  description:
    "Replaying the same Idempotency-Key with the same body answers the first result again; with another body, " +
    "IDEMPOTENCY_MISMATCH; while the first request is still running, CONFLICT. One live agreement per customer and " +
    "plan: while the customer holds a TEMP, ACTIVE or PAUSED agreement for the plan, CONFLICT with that agreement " +
    "as `error.details.liveAgreement` (LiveAgreementConflictDetails). More than MAX_PENDING_AGREEMENTS_PER_CUSTOMER " +
    "PENDING agreements: CONFLICT.",
  tags: ["customer"],
  security: "customer",
  headers: customerAuthHeadersSchema.extend({ "idempotency-key": z.string().min(1).max(255).optional() }),
  body: createAgreementBodySchema,
  responses: {
    201: createdAgreementSchema,
    ...errorResponses(
      "BAD_REQUEST",
      "UNAUTHORIZED",
      "NOT_FOUND",
      "CONFLICT",
      "IDEMPOTENCY_MISMATCH",
      "RATE_LIMITED",
      "INTERNAL",
      "SERVICE_UNAVAILABLE",
    ),
  },
});

export const listAgreements = route({
  method: "GET",
  path: CUSTOMER_API_PATHS.agreements,
  operationId: "listAgreements",
  summary: "The customer's own agreements, newest first",
  tags: ["customer"],
  security: "customer",
  headers: customerAuthHeadersSchema,
  responses: {
    200: listOf(agreementSchema),
    ...errorResponses("UNAUTHORIZED", "RATE_LIMITED", "INTERNAL", "SERVICE_UNAVAILABLE"),
  },
});

export const getAgreement = route({
  method: "GET",
  path: CUSTOMER_API_PATHS.agreement,
  operationId: "getAgreement",
  summary: "One of the customer's agreements with its charges and events (404 for anyone else's)",
  tags: ["customer"],
  security: "customer",
  headers: customerAuthHeadersSchema,
  params: idParamsSchema,
  responses: {
    200: agreementDetailSchema,
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "NOT_FOUND", "RATE_LIMITED", "INTERNAL", "SERVICE_UNAVAILABLE"),
  },
});

export const reportSignResult = route({
  method: "POST",
  path: CUSTOMER_API_PATHS.signResult,
  operationId: "reportSignResult",
  summary: "Report what my.paySignCenter returned; the server confirms and says what to show",
  description:
    "The resultStatus alone proves nothing: the server trusts a verified dut_user_sign, an agreement.query, or a " +
    "result whose signature verifies and whose app_id / external_agreement_no match.",
  tags: ["customer"],
  security: "customer",
  headers: customerAuthHeadersSchema,
  params: idParamsSchema,
  body: signResultBodySchema,
  responses: {
    200: signResultAnswerSchema,
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "NOT_FOUND", "RATE_LIMITED", "INTERNAL", "SERVICE_UNAVAILABLE"),
  },
});

export const unsignAgreement = route({
  method: "POST",
  path: CUSTOMER_API_PATHS.unsign,
  operationId: "unsignAgreement",
  summary: "Stop an agreement (alipay.user.agreement.unsign)",
  tags: ["customer"],
  security: "customer",
  headers: customerAuthHeadersSchema,
  params: idParamsSchema,
  responses: {
    200: z.object({ agreement: agreementSchema }),
    ...errorResponses(
      "BAD_REQUEST",
      "UNAUTHORIZED",
      "NOT_FOUND",
      "CONFLICT",
      "RATE_LIMITED",
      "INTERNAL",
      "ALIPAY_UNAVAILABLE",
      "SERVICE_UNAVAILABLE",
      "MERCHANT_UNAVAILABLE",
    ),
  },
});

export const customerRoutes = {
  createSession,
  listPlans,
  createAgreement,
  listAgreements,
  getAgreement,
  reportSignResult,
  unsignAgreement,
} as const;
