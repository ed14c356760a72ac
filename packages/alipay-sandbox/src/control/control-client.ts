import type {
  AppSettingsInput,
  CreateUserInput,
  FaultInput,
  PlantRefundInput,
  PlantTradeInput,
  PortalRefundInput,
  SandboxAgreementView,
  SandboxAppView,
  SandboxAppGatewayView,
  SandboxAuthCodeView,
  SandboxClockView,
  SandboxFaultView,
  SandboxLateRequestsView,
  SandboxReleasedView,
  SandboxInfoView,
  SandboxNotificationView,
  SandboxResetView,
  SandboxTradeView,
  SandboxUserView,
  SignCenterInput,
} from "./control-api.ts";
import type { SignCenterResult } from "../sign-center/sign-center-service.ts";

/**
 * One answer of the control API. `body` is the route's answer when `status` is 200; a refusal (400, 404, 409) has
 * `{ error: { code, message } }` (`ControlErrorBody`) instead, and `text` always holds what was sent.
 */
export type ControlAnswer<T> = { status: number; body: T; text: string };

type Call = <T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown) => Promise<ControlAnswer<T>>;

/** A typed client of a running sandbox's control API (`/sandbox/…`), for tests, the demo and the benchmark. */
export type SandboxControl = {
  readonly url: string;
  createUser(input?: CreateUserInput): Promise<ControlAnswer<SandboxUserView>>;
  users(): Promise<ControlAnswer<SandboxUserView[]>>;
  setBalance(userId: string, balance: string): Promise<ControlAnswer<SandboxUserView>>;
  createAuthCode(userId: string): Promise<ControlAnswer<SandboxAuthCodeView>>;
  clock(): Promise<ControlAnswer<SandboxClockView>>;
  /** `now` is ISO 8601 with an offset. */
  setClock(now: string): Promise<ControlAnswer<SandboxClockView>>;
  /** What `my.paySignCenter` answers in the Alipay app. */
  signAtCenter(input: SignCenterInput): Promise<ControlAnswer<SignCenterResult>>;
  agreements(): Promise<ControlAnswer<SandboxAgreementView[]>>;
  /** The user stops the agreement in the Alipay app: `dut_user_unsign` follows. */
  unsignAgreement(agreementNo: string): Promise<ControlAnswer<SandboxAgreementView>>;
  /** The user pauses the agreement in the Alipay app (NORMAL → STOP); no notification follows. */
  pauseAgreement(agreementNo: string): Promise<ControlAnswer<SandboxAgreementView>>;
  /** The user resumes a paused agreement in the Alipay app (STOP → NORMAL); no notification follows. */
  resumeAgreement(agreementNo: string): Promise<ControlAnswer<SandboxAgreementView>>;
  /** Sets (or, with null, removes) an app's app gateway (应用网关). */
  setAppGateway(appId: string, appGatewayUrl: string | null): Promise<ControlAnswer<SandboxAppGatewayView>>;
  trades(): Promise<ControlAnswer<SandboxTradeView[]>>;
  /** Refunds a trade in Alipay's merchant portal (outside paysign): its trade_status_sync follows. */
  refundInPortal(tradeNo: string, input: PortalRefundInput): Promise<ControlAnswer<SandboxTradeView>>;
  notifications(): Promise<ControlAnswer<SandboxNotificationView[]>>;
  redeliverNotification(notifyId: string): Promise<ControlAnswer<SandboxNotificationView>>;
  faults(): Promise<ControlAnswer<SandboxFaultView[]>>;
  addFault(input: FaultInput): Promise<ControlAnswer<SandboxFaultView>>;
  clearFaults(): Promise<ControlAnswer<SandboxFaultView[]>>;
  /** How many trade.pay requests a `late-processing` fault holds. */
  lateRequests(): Promise<ControlAnswer<SandboxLateRequestsView>>;
  /** Processes the held trade.pay requests now, oldest first (their answers go nowhere). */
  releaseLateRequests(): Promise<ControlAnswer<SandboxReleasedView>>;
  info(): Promise<ControlAnswer<SandboxInfoView>>;
  /** Alipay's per-app settings: `userIdType` `user_id` or `open_id` (docs/alipay-protocol.md §19.1). */
  setAppSettings(appId: string, input: AppSettingsInput): Promise<ControlAnswer<SandboxAppView>>;
  reset(): Promise<ControlAnswer<SandboxResetView>>;
  /** A paid trade at Alipay the merchant never asked for (daily bill tests, docs/alipay-protocol.md §21). */
  plantTrade(input: PlantTradeInput): Promise<ControlAnswer<SandboxTradeView>>;
  /** A refund of a trade made now, listed in that day's bill (no money moves, no notification). */
  plantRefund(input: PlantRefundInput): Promise<ControlAnswer<SandboxTradeView>>;
};

export function createSandboxControl(url: string, options: { timeoutMs?: number } = {}): SandboxControl {
  const call: Call = async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) }),
    });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as T, text };
    } catch {
      throw new Error(
        `${method} ${path} answered ${response.status} without JSON (not a sandbox?): ${text.slice(0, 200)}`,
      );
    }
  };
  const segment = encodeURIComponent;
  return {
    url,
    createUser: (input = {}) => call("POST", "/sandbox/users", input),
    users: () => call("GET", "/sandbox/users"),
    setBalance: (userId, balance) => call("POST", `/sandbox/users/${segment(userId)}/balance`, { balance }),
    createAuthCode: (userId) => call("POST", "/sandbox/auth-codes", { userId }),
    clock: () => call("GET", "/sandbox/clock"),
    setClock: (now) => call("POST", "/sandbox/clock", { now }),
    signAtCenter: (input) => call("POST", "/sandbox/sign-center", input),
    agreements: () => call("GET", "/sandbox/agreements"),
    unsignAgreement: (agreementNo) => call("POST", `/sandbox/agreements/${segment(agreementNo)}/unsign`, {}),
    pauseAgreement: (agreementNo) => call("POST", `/sandbox/agreements/${segment(agreementNo)}/pause`, {}),
    resumeAgreement: (agreementNo) => call("POST", `/sandbox/agreements/${segment(agreementNo)}/resume`, {}),
    setAppGateway: (appId, appGatewayUrl) =>
      call("POST", `/sandbox/apps/${segment(appId)}/app-gateway`, { appGatewayUrl }),
    trades: () => call("GET", "/sandbox/trades"),
    refundInPortal: (tradeNo, input) => call("POST", `/sandbox/trades/${segment(tradeNo)}/refunds`, input),
    notifications: () => call("GET", "/sandbox/notifications"),
    redeliverNotification: (notifyId) => call("POST", `/sandbox/notifications/${segment(notifyId)}/redeliver`, {}),
    faults: () => call("GET", "/sandbox/faults"),
    addFault: (input) => call("POST", "/sandbox/faults", input),
    clearFaults: () => call("DELETE", "/sandbox/faults"),
    lateRequests: () => call("GET", "/sandbox/faults/late-requests"),
    releaseLateRequests: () => call("POST", "/sandbox/faults/late-requests/release", {}),
    info: () => call("GET", "/sandbox/info"),
    setAppSettings: (appId, input) => call("POST", `/sandbox/apps/${segment(appId)}`, input),
    reset: () => call("POST", "/sandbox/reset", {}),
    plantTrade: (input) => call("POST", "/sandbox/bill-plants/trades", input),
    plantRefund: (input) => call("POST", "/sandbox/bill-plants/refunds", input),
  };
}
