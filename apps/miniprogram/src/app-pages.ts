import type { AppMode } from "./config.ts";

/** The pages of app.json, home first. The web-view signing page exists only in development builds. */
export const PAGES = {
  plans: "pages/plans/index",
  agreement: "pages/agreement/index",
  agreements: "pages/agreements/index",
  signWebview: "pages/sign-webview/index",
} as const;

export type PagePath = (typeof PAGES)[keyof typeof PAGES];

export function pagesFor(mode: AppMode): PagePath[] {
  switch (mode) {
    case "real":
      return [PAGES.plans, PAGES.agreement, PAGES.agreements];
    case "development":
      return [PAGES.plans, PAGES.agreement, PAGES.agreements, PAGES.signWebview];
    default: {
      const unknownMode: never = mode;
      throw new RangeError(`unknown mode ${String(unknownMode)}`);
    }
  }
}

/** `/pages/agreement/index?id=…` for my.navigateTo. */
export function pageUrl(page: PagePath, query: Readonly<Record<string, string>> = {}): string {
  const pairs = Object.keys(query).map((key) => `${encodeURIComponent(key)}=${encodeURIComponent(query[key] ?? "")}`);
  return `/${page}${pairs.length > 0 ? `?${pairs.join("&")}` : ""}`;
}
