import {
  PAY_SIGN_RESULTS,
  SIGN_OUTCOME_LABELS,
  isPaySignResultStatus,
  signOutcomeOf,
  type Agreement,
  type AgreementDetail,
  type PaySignResultStatus,
  type Plan,
  type SignOutcome,
} from "@paysign/contracts/mini";
import { PAGES, pageUrl } from "../../app-pages.ts";
import { definePage, type PageQuery } from "../../runtime/page.ts";
import { newIdempotencyKey } from "../../services/api-client.ts";
import { errorText, isApiError } from "../../services/api-error.ts";
import { pollAgreement } from "../../services/poll.ts";
import type { Services } from "../../services/services.ts";
import { isSignCenterUnavailable } from "../../services/sign-center.ts";
import { dateText } from "../../view/format.ts";
import { AGREEMENT_NOTES } from "../../view/texts.ts";
import {
  DEFAULT_AGREEMENT_TITLE,
  agreementView,
  liveAgreementIdOf,
  planView,
  titleFor,
  type AgreementView,
  type Notice,
  type PlanView,
} from "../../view/views.ts";

/**
 * - terms: a plan's terms and the subscribe button;
 * - signing: Alipay's signing is open; confirming: polling the server after an uncertain answer;
 * - retry: a network error (6002) — sign again with the same signStr;
 * - agreement: the agreement's status, amounts, dates, charges and unsign; error: nothing to show.
 */
export type AgreementPhase = "loading" | "terms" | "signing" | "confirming" | "retry" | "agreement" | "error";

export type AgreementData = {
  phase: AgreementPhase;
  error: string;
  plan: PlanView | null;
  agreement: AgreementView | null;
  notice: Notice | null;
  busy: boolean;
  /** The customer's live agreement of the same plan, when this one is its duplicate; "" otherwise. */
  liveAgreementId: string;
};

/** Per page instance; set in onLoad. */
type AgreementState = {
  planId: string | null;
  agreementId: string | null;
  title: string;
  signStr: string | null;
  /** One key per visit: a double tap or a retried request creates one agreement. */
  idempotencyKey: string;
  unloaded: boolean;
};

export const SIGN_UNAVAILABLE_TEXT =
  "无法打开支付宝签约。请将支付宝升级到 10.0.18 或以上版本后重试；开发者工具的模拟器不支持签约。";

const CREATE_ERRORS = {
  NOT_FOUND: "这个方案已下架，请返回选择其他方案。",
  CONFLICT: "上一次开通请求还在处理中，请稍候再试。",
  IDEMPOTENCY_MISMATCH: "这次开通与之前的请求不一致，请返回重新开通。",
};

const LOAD_ERRORS = { NOT_FOUND: "没有找到这份协议。", BAD_REQUEST: "协议编号有误，请返回重新打开。" };

const UNSIGN_ERRORS = {
  CONFLICT: "协议当前的状态不能解约，请刷新后再试。",
  ALIPAY_UNAVAILABLE: "支付宝暂时没有响应，解约结果确认中，请稍后刷新查看。",
  NOT_FOUND: "没有找到这份协议。",
};

/** The live agreement a 409 CONFLICT on subscribe names (`error.details.liveAgreement`), if any. */
function liveAgreementOf(error: unknown): string | null {
  if (!isApiError(error) || error.code !== "CONFLICT") return null;
  const live = (error.details as { liveAgreement?: { id?: unknown } } | null)?.liveAgreement;
  return typeof live?.id === "string" ? live.id : null;
}

/** The agreement: subscribe → sign → confirmation → status, next deduction date, amount, charges, unsign. */
export function agreementPage(services: Services) {
  const { api, signCenter, config } = services;
  const data: AgreementData = {
    phase: "loading",
    error: "",
    plan: null,
    agreement: null,
    notice: null,
    busy: false,
    liveAgreementId: "",
  };

  return definePage(data, {
    state: null as AgreementState | null,

    onLoad(query: PageQuery) {
      const state: AgreementState = {
        planId: query.planId ?? null,
        agreementId: query.id ?? null,
        title: DEFAULT_AGREEMENT_TITLE,
        signStr: null,
        idempotencyKey: newIdempotencyKey(),
        unloaded: false,
      };
      this.state = state;
      if (state.agreementId) return this.loadAgreement(state.agreementId);
      if (state.planId) return this.loadPlan(state.planId);
      this.setData({ phase: "error", error: "缺少要查看的方案或协议，请返回重新打开。" });
    },

    /** The state onLoad sets; every other handler runs after it. */
    loaded(): AgreementState {
      if (!this.state) throw new Error("the agreement page ran a handler before onLoad");
      return this.state;
    },

    onUnload() {
      if (this.state) this.state.unloaded = true;
    },

    async onPullDownRefresh() {
      if (this.state?.agreementId) await this.refresh();
      await my.stopPullDownRefresh();
    },

    async loadPlan(planId: string) {
      let plans: Plan[];
      try {
        plans = await api.listPlans();
      } catch (error) {
        this.setData({ phase: "error", error: errorText(error) });
        return;
      }
      const plan = plans.find((candidate) => candidate.id === planId);
      if (!plan) {
        this.setData({ phase: "error", error: CREATE_ERRORS.NOT_FOUND });
        return;
      }
      this.loaded().title = plan.name;
      this.setData({ phase: "terms", plan: planView(plan) });
    },

    async loadAgreement(id: string) {
      try {
        const [detail, plans] = await Promise.all([api.getAgreement(id), api.listPlans().catch(() => [])]);
        this.loaded().title = titleFor(detail.planId, plans);
        this.showAgreement(detail);
        this.setData({ phase: "agreement" });
      } catch (error) {
        this.setData({ phase: "error", error: errorText(error, LOAD_ERRORS) });
      }
    },

    showAgreement(agreement: Agreement | AgreementDetail) {
      const liveAgreementId = liveAgreementIdOf(agreement);
      this.setData({
        agreement: agreementView(agreement, this.loaded().title),
        ...(liveAgreementId ? { liveAgreementId } : {}),
      });
    },

    async onSubscribe() {
      const state = this.loaded();
      // Once created, the agreement is signed (or retried) with its own signStr, never created again.
      if (this.data.busy || !state.planId || state.agreementId) return;
      this.setData({ busy: true });
      try {
        const created = await api.createAgreement({ planId: state.planId }, state.idempotencyKey);
        state.agreementId = created.agreement.id;
        state.signStr = created.signStr;
        this.showAgreement(created.agreement);
      } catch (error) {
        this.setData({ busy: false });
        const liveId = liveAgreementOf(error);
        if (liveId) {
          // One live agreement per plan: the API refused a second one and named the first; show that one.
          await my.showToast({ type: "none", content: AGREEMENT_NOTES.ALREADY_SUBSCRIBED.zh });
          await my.redirectTo({ url: pageUrl(PAGES.agreement, { id: liveId }) });
          return;
        }
        await my.alert({ title: "开通失败", content: errorText(error, CREATE_ERRORS), buttonText: "知道了" });
        return;
      }
      await this.sign();
    },

    onRetrySign() {
      if (this.data.busy) return;
      return this.sign();
    },

    /** Opens Alipay's signing with the signStr as the server gave it, reports the answer, follows the outcome. */
    async sign() {
      const state = this.loaded();
      if (!state.signStr || !state.agreementId) return;
      this.setData({ phase: "signing", busy: true, notice: null });
      let answer;
      try {
        answer = await signCenter.open(state.signStr);
      } catch (error) {
        const text = isSignCenterUnavailable(error) ? SIGN_UNAVAILABLE_TEXT : errorText(error);
        this.setData({ phase: "retry", busy: false, notice: { tone: "error", title: "无法签约", text } });
        await my.alert({ title: "无法签约", content: text, buttonText: "知道了" });
        return;
      }
      const resultStatus = answer.resultStatus;
      if (!isPaySignResultStatus(resultStatus)) {
        // Not one of the documented codes: report nothing the server would refuse; let it check with Alipay.
        await this.confirmByPolling("7001");
        return;
      }
      let reported;
      try {
        reported = await api.reportSignResult(state.agreementId, {
          resultStatus,
          ...(answer.result ? { result: answer.result } : {}),
        });
      } catch (error) {
        this.setData({
          phase: "agreement",
          busy: false,
          notice: {
            tone: "warning",
            title: PAY_SIGN_RESULTS[resultStatus].zh,
            text: `签约结果还没有送达服务器：${errorText(error)}稍后可在「我的协议」中查看。`,
          },
        });
        return;
      }
      this.showAgreement(reported.agreement);
      if (reported.liveAgreementId) {
        // A duplicate signing: the server keeps the live agreement and unsigns this one.
        this.setData({
          phase: "agreement",
          busy: false,
          liveAgreementId: reported.liveAgreementId,
          notice: { tone: "info", title: AGREEMENT_NOTES.DUPLICATE.title.zh, text: AGREEMENT_NOTES.DUPLICATE.zh },
        });
        return;
      }
      await this.showOutcome(resultStatus, reported.outcome, reported.agreement);
    },

    async showOutcome(resultStatus: PaySignResultStatus, outcome: SignOutcome, agreement: Agreement) {
      switch (outcome) {
        case "SIGNED":
          this.setData({
            phase: "agreement",
            busy: false,
            notice: {
              tone: "success",
              title: SIGN_OUTCOME_LABELS.SIGNED.zh,
              text: `首次扣款日 ${dateText(agreement.nextDeductDate ?? agreement.executeTime)}，每期 ${this.data.agreement?.amountText ?? ""}。`,
            },
          });
          await my.showToast({ type: "success", content: SIGN_OUTCOME_LABELS.SIGNED.zh });
          await this.refresh();
          return;
        case "CONFIRMING":
          await this.confirmByPolling(resultStatus);
          return;
        case "RETRY":
          this.setData({
            phase: "retry",
            busy: false,
            notice: {
              tone: "warning",
              title: PAY_SIGN_RESULTS["6002"].zh,
              text: "签约没有完成。请检查网络后点「重新签约」。",
            },
          });
          return;
        case "FAILED":
          this.setData({
            phase: "agreement",
            busy: false,
            notice: {
              tone: "error",
              title: SIGN_OUTCOME_LABELS.FAILED.zh,
              text: "没有开通成功，可以返回重新选择方案。",
            },
          });
          await my.alert({
            title: SIGN_OUTCOME_LABELS.FAILED.zh,
            content: PAY_SIGN_RESULTS["7002"].zh,
            buttonText: "知道了",
          });
          return;
        case "NOT_SIGNED":
          this.setData({
            phase: "agreement",
            busy: false,
            notice: {
              tone: "neutral",
              title: SIGN_OUTCOME_LABELS.NOT_SIGNED.zh,
              text: "这份协议没有生效，不会扣款。",
            },
          });
          return;
        default: {
          const unknownOutcome: never = outcome;
          throw new RangeError(`unknown outcome ${String(unknownOutcome)}`);
        }
      }
    },

    /** 7001 / 6001 (and 7000 not yet confirmed): the server checks with Alipay; read until final, a bounded while. */
    async confirmByPolling(resultStatus: PaySignResultStatus) {
      const state = this.loaded();
      const id = state.agreementId;
      if (!id) throw new Error("confirmByPolling runs only once the agreement is created");
      this.setData({
        phase: "confirming",
        busy: true,
        notice: { tone: "info", title: PAY_SIGN_RESULTS[resultStatus].zh, text: "正在向支付宝确认签约结果，请稍候…" },
      });
      const polled = await pollAgreement({
        api,
        id,
        delaysMs: config.pollDelaysMs,
        stopped: () => state.unloaded,
      });
      if (state.unloaded) return;
      if (polled.agreement) this.showAgreement(polled.agreement);
      if (polled.final && polled.agreement) {
        await this.showOutcome(resultStatus, signOutcomeOf(polled.agreement.status, resultStatus), polled.agreement);
        return;
      }
      this.setData({
        phase: "agreement",
        busy: false,
        notice:
          resultStatus === "6001"
            ? {
                tone: "neutral",
                title: PAY_SIGN_RESULTS["6001"].zh,
                text: "你没有完成签约。如果其实已经签约，稍后会在「我的协议」中显示。",
              }
            : {
                tone: "info",
                title: SIGN_OUTCOME_LABELS.CONFIRMING.zh,
                text: "支付宝还在处理，稍后可在「我的协议」中查看结果。",
              },
      });
    },

    async refresh() {
      const id = this.state?.agreementId;
      if (!id) return;
      try {
        this.showAgreement(await api.getAgreement(id));
      } catch (error) {
        await my.showToast({ type: "fail", content: errorText(error, LOAD_ERRORS) });
      }
    },

    onRefresh() {
      return this.refresh();
    },

    async onUnsign() {
      const id = this.state?.agreementId;
      if (!id || this.data.busy) return;
      const { confirm } = await my.confirm({
        title: "解约",
        content: "解约后将不再自动扣款，已完成的扣款不受影响。确定解约吗？",
        confirmButtonText: "解约",
        cancelButtonText: "再想想",
      });
      if (!confirm) return;
      this.setData({ busy: true });
      try {
        const { agreement } = await api.unsign(id);
        this.showAgreement(agreement);
        this.setData({ busy: false, notice: null });
        await my.showToast({ type: "success", content: "已解约" });
        await this.refresh();
      } catch (error) {
        this.setData({ busy: false });
        await my.alert({ title: "解约失败", content: errorText(error, UNSIGN_ERRORS), buttonText: "知道了" });
      }
    },

    onOpenLiveAgreement() {
      const id = this.data.liveAgreementId;
      if (!id) return;
      return my.redirectTo({ url: pageUrl(PAGES.agreement, { id }) });
    },

    onOpenAgreements() {
      return my.redirectTo({ url: pageUrl(PAGES.agreements) });
    },

    onBackToPlans() {
      return my.reLaunch({ url: pageUrl(PAGES.plans) });
    },
  });
}
