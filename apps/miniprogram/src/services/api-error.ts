import { ERROR_CODES, type ErrorCode } from "@paysign/contracts/mini";

/** The API's error codes plus what only a client meets: no answer at all, or an answer it cannot read. */
export type ClientErrorCode = ErrorCode | "NETWORK" | "BAD_RESPONSE" | "AUTH_CANCELLED";

/** Tell it by `isApiError` (name and code), never `instanceof`: see isNetworkError in http.ts. */
export class ApiError extends Error {
  readonly code: ClientErrorCode;
  readonly status: number | null;
  readonly requestId: string | null;
  /** The body's `error.details` (e.g. a CONFLICT's `liveAgreement`), unread; null when absent. */
  readonly details: unknown;
  constructor(options: {
    code: ClientErrorCode;
    message: string;
    status?: number;
    requestId?: string | null;
    details?: unknown;
  }) {
    super(options.message);
    this.name = "ApiError";
    this.code = options.code;
    this.status = options.status ?? null;
    this.requestId = options.requestId ?? null;
    this.details = options.details ?? null;
  }
}

/** Not the contracts' isErrorCode: it relies on Object.hasOwn (ES2022), which older mini program engines lack. */
function isKnownCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/** `{ error: { code, message, requestId } }` → ApiError; anything else → BAD_RESPONSE. */
export function apiErrorFromBody(status: number, body: unknown): ApiError {
  const error = (
    body as { error?: { code?: unknown; message?: unknown; requestId?: unknown; details?: unknown } } | null
  )?.error;
  const code = typeof error?.code === "string" && isKnownCode(error.code) ? error.code : "BAD_RESPONSE";
  return new ApiError({
    code,
    status,
    message: typeof error?.message === "string" ? error.message : `HTTP ${status}`,
    requestId: typeof error?.requestId === "string" ? error.requestId : null,
    details: error?.details,
  });
}

/** What each code means to a customer, in plain words. */
export const ERROR_TEXT = {
  BAD_REQUEST: "请求内容有误，请返回上一页重试。",
  UNAUTHORIZED: "登录已失效，请重新打开小程序。",
  FORBIDDEN: "你没有权限进行这个操作。",
  NOT_FOUND: "没有找到这条记录，它可能已经不存在了。",
  CONFLICT: "当前状态下不能这样操作，请刷新后再试。",
  IDEMPOTENCY_MISMATCH: "这次请求与之前的重复，请返回重新操作。",
  RATE_LIMITED: "操作太频繁了，请稍等一会儿再试。",
  INTERNAL: "服务出了点问题，请稍后再试。",
  ALIPAY_UNAVAILABLE: "支付宝暂时没有响应，请稍后再试。",
  SERVICE_UNAVAILABLE: "服务正在维护，请稍后再试。",
  MERCHANT_UNAVAILABLE: "商家的支付服务暂时不可用，请稍后再试。",
  NETWORK: "网络不给力，请检查网络后重试。",
  BAD_RESPONSE: "服务返回了无法识别的内容，请稍后再试。",
  AUTH_CANCELLED: "需要你同意授权登录，才能开通扣款服务。",
} as const satisfies Record<ClientErrorCode, string>;

export type ErrorTextOverrides = Partial<Record<ClientErrorCode, string>>;

export function isApiError(error: unknown): error is ApiError {
  if (!(error instanceof Error) || error.name !== "ApiError") return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && Object.prototype.hasOwnProperty.call(ERROR_TEXT, code);
}

/** The sentence to show for an error; anything that is not an ApiError reads as a generic failure. */
export function errorText(error: unknown, overrides: ErrorTextOverrides = {}): string {
  if (!isApiError(error)) return ERROR_TEXT.INTERNAL;
  const text = overrides[error.code] ?? ERROR_TEXT[error.code];
  return error.requestId ? `${text}（编号 ${error.requestId}）` : text;
}
