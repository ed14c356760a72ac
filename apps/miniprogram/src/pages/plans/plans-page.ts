import { PAGES, pageUrl } from "../../app-pages.ts";
import { definePage, type TapEvent } from "../../runtime/page.ts";
import { errorText } from "../../services/api-error.ts";
import type { Services } from "../../services/services.ts";
import { planView, type PlanView } from "../../view/views.ts";

export type PlansData = { loading: boolean; error: string; plans: PlanView[]; empty: boolean };

/** Home: the active plans (public, no sign-in needed) and the way to My agreements. */
export function plansPage(services: Services) {
  const data: PlansData = { loading: true, error: "", plans: [], empty: false };
  return definePage(data, {
    onLoad() {
      return this.load();
    },

    async onPullDownRefresh() {
      await this.load();
      await my.stopPullDownRefresh();
    },

    async load() {
      this.setData({ loading: true, error: "" });
      try {
        const plans = await services.api.listPlans();
        this.setData({ loading: false, plans: plans.map(planView), empty: plans.length === 0 });
      } catch (error) {
        this.setData({ loading: false, error: errorText(error) });
      }
    },

    onRetry() {
      return this.load();
    },

    onChoosePlan(event: TapEvent) {
      const planId = event.currentTarget.dataset.planId;
      if (!planId) return;
      return my.navigateTo({ url: pageUrl(PAGES.agreement, { planId }) });
    },

    onOpenAgreements() {
      return my.navigateTo({ url: pageUrl(PAGES.agreements) });
    },
  });
}
