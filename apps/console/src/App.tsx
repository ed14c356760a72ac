import type { adminDeleteSession, adminGetSession } from "@paysign/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Segmented, Spin } from "antd";
import enUS from "antd/es/locale/en_US";
import zhCN from "antd/es/locale/zh_CN";
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import { lazy, Suspense, useEffect, useMemo, useState, type ReactNode } from "react";
import { call, setUnauthorizedHandler } from "./api.ts";
import { I18nContext, MESSAGES, type I18n, type Lang, type MessageKey } from "./i18n.tsx";
import { navigate, useLocation, type Location } from "./router.ts";
import { SignIn } from "./pages/SignIn.tsx";

const Overview = lazy(() => import("./pages/Overview.tsx"));
const Agreements = lazy(() => import("./pages/Agreements.tsx"));
const AgreementDetail = lazy(() => import("./pages/AgreementDetail.tsx"));
const Charges = lazy(() => import("./pages/Charges.tsx"));
const Refunds = lazy(() => import("./pages/Refunds.tsx"));
const Notifications = lazy(() => import("./pages/Notifications.tsx"));
const Plans = lazy(() => import("./pages/Plans.tsx"));
const Webhooks = lazy(() => import("./pages/Webhooks.tsx"));

const LANG_KEY = "paysign-console-lang";
// antd's defaults, darkened where their text falls below WCAG AA contrast (4.5:1): the primary blue under white
// text, red danger text, and secondary text on white.
const theme = {
  token: {
    colorPrimary: "#0958d9",
    colorLink: "#0958d9",
    colorError: "#cf1322",
    colorTextDescription: "rgba(0, 0, 0, 0.65)",
    colorTextTertiary: "rgba(0, 0, 0, 0.65)",
    colorTextPlaceholder: "rgba(0, 0, 0, 0.6)",
  },
};
const NAV: Array<{ path: string; label: MessageKey }> = [
  { path: "/", label: "navOverview" },
  { path: "/agreements", label: "navAgreements" },
  { path: "/charges", label: "navCharges" },
  { path: "/refunds", label: "navRefunds" },
  { path: "/notifications", label: "navNotifications" },
  { path: "/plans", label: "navPlans" },
  { path: "/webhooks", label: "navWebhooks" },
];

function initialLang(): Lang {
  return window.localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh-CN";
}

function page(location: Location): ReactNode {
  const detail = /^\/agreements\/([0-9a-f-]{36})$/.exec(location.path);
  if (detail?.[1]) return <AgreementDetail id={detail[1]} />;
  switch (location.path) {
    case "/agreements":
      return <Agreements query={location.query} />;
    case "/charges":
      return <Charges query={location.query} />;
    case "/refunds":
      return <Refunds query={location.query} />;
    case "/notifications":
      return <Notifications query={location.query} />;
    case "/plans":
      return <Plans />;
    case "/webhooks":
      return <Webhooks />;
    default:
      return <Overview />;
  }
}

function selectedNav(path: string): string {
  const match = NAV.find((item) => item.path !== "/" && path.startsWith(item.path));
  return match?.path ?? "/";
}

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const queryClient = useQueryClient();
  const location = useLocation();
  const [signedOut, setSignedOut] = useState(false);
  const session = useQuery({
    queryKey: ["session"],
    queryFn: () => call<typeof adminGetSession>("GET", "/admin/v1/session"),
    enabled: !signedOut,
  });

  useEffect(() => {
    setUnauthorizedHandler(() => {
      queryClient.clear();
      setSignedOut(true);
    });
  }, [queryClient]);

  const i18n = useMemo<I18n>(
    () => ({
      lang,
      t: (key) => MESSAGES[lang][key],
      setLang: (next) => {
        window.localStorage.setItem(LANG_KEY, next);
        setLangState(next);
      },
    }),
    [lang],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
    dayjs.locale(lang === "en" ? "en" : "zh-cn");
  }, [lang]);

  const signOut = async () => {
    await call<typeof adminDeleteSession>("DELETE", "/admin/v1/session").catch(() => undefined);
    queryClient.clear();
    setSignedOut(true);
  };

  let content: ReactNode;
  if (signedOut || session.isError) {
    content = (
      <SignIn
        onSignedIn={() => {
          setSignedOut(false);
          void session.refetch();
        }}
      />
    );
  } else if (session.isPending) {
    content = <Spin fullscreen />;
  } else {
    content = (
      <Layout style={{ minHeight: "100vh" }}>
        <Layout.Header style={{ display: "flex", alignItems: "center", gap: 16 }}>
          <span style={{ color: "#fff", fontWeight: 600, whiteSpace: "nowrap" }}>{i18n.t("appName")}</span>
          <Menu
            theme="dark"
            mode="horizontal"
            style={{ flex: 1, minWidth: 0 }}
            selectedKeys={[selectedNav(location.path)]}
            items={NAV.map((item) => ({ key: item.path, label: i18n.t(item.label) }))}
            onClick={({ key }) => navigate(key)}
          />
          <LangSwitch />
          <Button onClick={() => void signOut()}>{i18n.t("signOut")}</Button>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <main>
            <Suspense fallback={<Spin />}>{page(location)}</Suspense>
          </main>
        </Layout.Content>
      </Layout>
    );
  }

  return (
    <I18nContext.Provider value={i18n}>
      <ConfigProvider locale={lang === "en" ? enUS : zhCN} theme={theme}>
        <AntApp>{content}</AntApp>
      </ConfigProvider>
    </I18nContext.Provider>
  );
}

function LangSwitch() {
  return (
    <I18nContext.Consumer>
      {({ lang, setLang, t }) => (
        <Segmented<Lang>
          aria-label={t("language")}
          value={lang}
          options={[
            { label: "中文", value: "zh-CN" },
            { label: "English", value: "en" },
          ]}
          onChange={(value) => setLang(value)}
        />
      )}
    </I18nContext.Consumer>
  );
}
