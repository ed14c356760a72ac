import { createSandboxControl, type SandboxNotificationView, type SandboxTradeView } from "@paysign/alipay-sandbox";
import { defined, http, type HttpAnswer, type Json } from "@paysign/test-kit";
import { adminKey, type E2eProcesses } from "./processes.ts";

// HTTP helpers for the end-to-end tests: the customer API, the admin API and the sandbox's control API, each as a
// client outside the processes would call them.

type Answer<T = Json> = HttpAnswer<T>;

export type Charge = {
  id: string;
  agreementId: string;
  dueDate: string;
  amount: string;
  status: string;
  outTradeNo: string | null;
  tradeNo: string | null;
  failureCode: string | null;
  attempts: Array<{
    outTradeNo: string;
    status: string;
    subCode: string | null;
    tradeNo: string | null;
    requestedAt: string;
  }>;
};

export type AgreementDetail = {
  id: string;
  status: string;
  agreementNo: string | null;
  nextDeductDate: string | null;
  nextSweepAt: string | null;
  executeTime: string;
  paymentsCount: number;
  paidTotal: string;
  charges: Charge[];
  events: Array<{ fromStatus: string | null; toStatus: string; source: string }>;
};

export type Customer = {
  userId: string;
  as<T = Json>(path: string, body?: unknown): Promise<Answer<T>>;
};

/** The calls a test makes, bound to one set of processes. */
export function clientsOf(processes: E2eProcesses) {
  const admin = <T = Json>(path: string, body?: unknown) =>
    http<T>(`${processes.apiUrl}${path}`, { headers: { "x-admin-key": adminKey }, body });
  const sandbox = createSandboxControl(processes.sandboxUrl);
  const notifications = async (): Promise<SandboxNotificationView[]> => (await sandbox.notifications()).body;

  return {
    admin,
    sandbox,

    /** Sets the simulated time of the sandbox, which the API and the worker follow. */
    async setClock(at: string): Promise<void> {
      const answer = await sandbox.setClock(at);
      if (answer.status !== 200) throw new Error(`clock move refused: ${answer.text}`);
    },

    async createPlan(plan: Json): Promise<string> {
      const answer = await admin("/admin/v1/plans", {
        productCode: "GENERAL_WITHHOLDING",
        signScene: "INDUSTRY|DIGITAL_MEDIA",
        ...plan,
      });
      if (answer.status !== 201) throw new Error(`plan refused: ${answer.text}`);
      return answer.body.id as string;
    },

    /** A buyer in the sandbox and a session in the API, the way the mini program signs in. */
    async signIn(balance = "1000.00"): Promise<Customer> {
      const user = await sandbox.createUser({ balance });
      const userId = user.body.userId;
      const code = await sandbox.createAuthCode(userId);
      const session = await http(`${processes.apiUrl}/api/v1/sessions`, { body: { authCode: code.body.authCode } });
      if (session.status !== 201) throw new Error(`sign-in failed: ${session.text}`);
      const token = session.body.token as string;
      return {
        userId,
        as: <T = Json>(path: string, body?: unknown) =>
          http<T>(`${processes.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` }, body }),
      };
    },

    /** `POST /api/v1/agreements`: a PENDING agreement and its signStr. */
    async subscribe(customer: Customer, planId: string): Promise<{ id: string; signStr: string }> {
      const created = await customer.as("/api/v1/agreements", { planId });
      if (created.status !== 201) throw new Error(`agreement refused: ${created.text}`);
      return { id: (created.body.agreement as { id: string }).id, signStr: created.body.signStr as string };
    },

    /** What `my.paySignCenter` would return in the Alipay app: `{ resultStatus, result }`. */
    signAtAlipay(customer: Customer, signStr: string, decision: "confirm" | "cancel" = "confirm") {
      return sandbox.signAtCenter({ signStr, userId: customer.userId, decision });
    },

    async agreement(id: string): Promise<AgreementDetail> {
      const answer = await admin<AgreementDetail>(`/admin/v1/agreements/${id}`);
      if (answer.status !== 200) throw new Error(`agreement read failed: ${answer.text}`);
      return answer.body;
    },

    notifications,

    /**
     * Holds back the next notification of `notifyType` (its first delivery is dropped; Alipay's retry is minutes
     * away), once every earlier notification is delivered so the fault cannot meet one of theirs.
     */
    async holdNextNotification(notifyType: string): Promise<void> {
      await waitFor({
        what: "earlier notifications delivered",
        probe: notifications,
        done: (all) => all.every((n) => n.delivered),
      });
      await sandbox.addFault({ method: notifyType, mode: "drop-notify", count: 1 });
    },

    /** Sends the held notification of `notifyType` for `agreementNo` now; answers the API's reply body. */
    async deliverHeld(notifyType: string, agreementNo: string): Promise<string | null> {
      const held = await waitFor({
        what: `the held ${notifyType}`,
        probe: async () =>
          (await notifications()).find((n) => n.notifyType === notifyType && n.params.agreement_no === agreementNo),
        done: (found) => found !== undefined && found.attempts.length > 0,
      });
      const sent = await sandbox.redeliverNotification(defined(held, "held").notifyId);
      return sent.body.attempts.at(-1)?.body ?? null;
    },

    async trades(): Promise<SandboxTradeView[]> {
      return (await sandbox.trades()).body;
    },

    /** Every charge the API knows, page after page. */
    async charges(): Promise<Charge[]> {
      const all: Charge[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : "?limit=100";
        const page = await admin<{ items: Charge[]; nextCursor: string | null }>(`/admin/v1/charges${query}`);
        if (page.status !== 200) throw new Error(`charges read failed: ${page.text}`);
        all.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      return all;
    },
  };
}

/** A time of day in Asia/Shanghai on a calendar day, as ISO 8601. */
export const shanghai = (date: string, time = "10:00:00") => `${date}T${time}+08:00`;

/** The agreement's transitions as `FROM→TO SOURCE`. */
export const transitions = (agreement: AgreementDetail) =>
  agreement.events.map((event) => `${event.fromStatus ?? "∅"}→${event.toStatus} ${event.source}`);

/** Polls `probe` until `done` holds; fails after `timeoutMs` with what it saw last. */
export async function waitFor<T>(poll: {
  what: string;
  probe: () => Promise<T>;
  done: (value: T) => boolean;
  timeoutMs?: number;
}): Promise<T> {
  const { what, probe, done, timeoutMs = 20_000 } = poll;
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${what}: not reached within ${timeoutMs} ms; last seen ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
