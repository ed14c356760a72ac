import {
  CUSTOMER_API_PATHS,
  buildPath,
  type Agreement,
  type AgreementDetail,
  type CreateAgreementBody,
  type CreatedAgreement,
  type Plan,
  type SignResultAnswer,
  type SignResultBody,
} from "@paysign/contracts/mini";
import { ApiError, apiErrorFromBody } from "./api-error.ts";
import { isNetworkError, sendHttp, type HttpMethod, type RequestFunction } from "./http.ts";
import type { SessionService } from "./session.ts";

/** The customer routes of docs/product.md §7, typed by the contracts. Every failure is an ApiError. */
export type ApiClient = {
  listPlans(): Promise<Plan[]>;
  createAgreement(body: CreateAgreementBody, idempotencyKey: string): Promise<CreatedAgreement>;
  listAgreements(): Promise<Agreement[]>;
  getAgreement(id: string): Promise<AgreementDetail>;
  reportSignResult(id: string, body: SignResultBody): Promise<SignResultAnswer>;
  unsign(id: string): Promise<{ agreement: Agreement }>;
};

type Call = {
  method: HttpMethod;
  path: string;
  expect: number;
  auth: boolean;
  body?: unknown;
  headers?: Record<string, string>;
};

export function createApiClient(options: {
  request: RequestFunction;
  apiBaseUrl: string;
  session: SessionService;
}): ApiClient {
  const { request, apiBaseUrl, session } = options;

  const send = async (call: Call, token: string | null) => {
    const headers: Record<string, string> = { ...call.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      return await sendHttp(request, {
        url: `${apiBaseUrl}${call.path}`,
        method: call.method,
        headers,
        body: call.body,
      });
    } catch (error) {
      if (isNetworkError(error)) throw new ApiError({ code: "NETWORK", message: error.message });
      throw error;
    }
  };

  const call = async <T>(spec: Call): Promise<T> => {
    let answer = await send(spec, spec.auth ? await session.token() : null);
    // An expired or revoked token: sign in again once, then give the answer as it is.
    if (spec.auth && answer.status === 401) answer = await send(spec, await session.renew());
    if (answer.status !== spec.expect) throw apiErrorFromBody(answer.status, answer.json);
    if (answer.json === null || typeof answer.json !== "object") {
      throw new ApiError({ code: "BAD_RESPONSE", status: answer.status, message: "the answer is not a JSON object" });
    }
    return answer.json as T;
  };

  const agreementPath = (path: string, id: string) => buildPath(path, { id });

  return {
    async listPlans() {
      const { items } = await call<{ items: Plan[] }>({
        method: "GET",
        path: CUSTOMER_API_PATHS.plans,
        expect: 200,
        auth: false,
      });
      return items;
    },
    createAgreement: (body, idempotencyKey) =>
      call<CreatedAgreement>({
        method: "POST",
        path: CUSTOMER_API_PATHS.agreements,
        expect: 201,
        auth: true,
        body,
        headers: { "idempotency-key": idempotencyKey },
      }),
    async listAgreements() {
      const { items } = await call<{ items: Agreement[] }>({
        method: "GET",
        path: CUSTOMER_API_PATHS.agreements,
        expect: 200,
        auth: true,
      });
      return items;
    },
    getAgreement: (id) =>
      call<AgreementDetail>({
        method: "GET",
        path: agreementPath(CUSTOMER_API_PATHS.agreement, id),
        expect: 200,
        auth: true,
      }),
    reportSignResult: (id, body) =>
      call<SignResultAnswer>({
        method: "POST",
        path: agreementPath(CUSTOMER_API_PATHS.signResult, id),
        expect: 200,
        auth: true,
        body,
      }),
    unsign: (id) =>
      call<{ agreement: Agreement }>({
        method: "POST",
        path: agreementPath(CUSTOMER_API_PATHS.unsign, id),
        expect: 200,
        auth: true,
      }),
  };
}

/** A fresh Idempotency-Key (no crypto.randomUUID on mini program engines; uniqueness per customer is enough). */
export function newIdempotencyKey(): string {
  return `mp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
