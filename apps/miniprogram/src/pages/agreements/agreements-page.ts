import { PAGES, pageUrl } from "../../app-pages.ts";
import { definePage, type TapEvent } from "../../runtime/page.ts";
import { errorText } from "../../services/api-error.ts";
import type { Services } from "../../services/services.ts";
import { agreementView, titleFor, type AgreementView } from "../../view/views.ts";

export type AgreementsData = { loading: boolean; error: string; agreements: AgreementView[]; empty: boolean };

/** My agreements, newest first; reloaded on every show (a status may have changed on the agreement page). */
export function agreementsPage(services: Services) {
  const data: AgreementsData = { loading: true, error: "", agreements: [], empty: false };
  return definePage(data, {
    onShow() {
      return this.load();
    },

    async onPullDownRefresh() {
      await this.load();
      await my.stopPullDownRefresh();
    },

    async load() {
      this.setData({ loading: this.data.agreements.length === 0, error: "" });
      try {
        const [agreements, plans] = await Promise.all([
          services.api.listAgreements(),
          services.api.listPlans().catch(() => []),
        ]);
        this.setData({
          loading: false,
          agreements: agreements.map((agreement) => agreementView(agreement, titleFor(agreement.planId, plans))),
          empty: agreements.length === 0,
        });
      } catch (error) {
        this.setData({ loading: false, error: errorText(error) });
      }
    },

    onRetry() {
      return this.load();
    },

    onOpenAgreement(event: TapEvent) {
      const id = event.currentTarget.dataset.id;
      if (!id) return;
      return my.navigateTo({ url: pageUrl(PAGES.agreement, { id }) });
    },

    onOpenPlans() {
      return my.reLaunch({ url: pageUrl(PAGES.plans) });
    },
  });
}
